// What the server said when it refused a request: one reading of an HTTP error answer for
// every part of the page that fetches.

/**
 * The text of an HTTP error answer: FastAPI's {"detail": ...} (a string, or a validation
 * error's list, each item's message), or the status when the body says nothing.
 * @param {Response} response a response that is not ok
 * @returns {Promise<string>}
 */
export async function problemOf(response) {
  let detail = null;
  try {
    const body = await response.json();
    detail = body?.detail;
  } catch {
    detail = null; // not JSON: the status says enough
  }
  if (Array.isArray(detail)) detail = detail.map((d) => d.msg ?? JSON.stringify(d)).join("; ");
  return typeof detail === "string" && detail ? detail : `HTTP ${response.status}`;
}
