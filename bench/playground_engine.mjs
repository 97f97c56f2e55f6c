// A plain-JavaScript model of TensorFlow Playground's engine, for side-by-side figures: a network
// of node and link objects, trained one example at a time (forward, then backward into
// accumulated derivatives), the weights updated every `batch` examples by the mean of what
// accumulated. Initial weights uniform in [-0.5, 0.5], biases 0.1, squared error on a tanh
// output, labels -1 and 1: the Playground's choices, written here from its description.
//
// Run: node bench/playground_engine.mjs '{"hidden": [4, 2], "activation": "tanh", "batch": 10,
//        "seconds": 1, "points": [[x, y, label], ...]}'
// Prints one JSON line: examples trained, seconds, examples per second, and the train accuracy.
// With "test": [[x, y, label], ...] and "goal": 0.95 it trains until the test accuracy reaches
// the goal (checked after every pass over the points) or "seconds" run out, and prints the
// seconds and passes it took (null when it did not get there).

const ACTIVATIONS = {
  tanh: { f: Math.tanh, der: (x) => 1 - Math.tanh(x) ** 2 },
  relu: { f: (x) => Math.max(0, x), der: (x) => (x <= 0 ? 0 : 1) },
  linear: { f: (x) => x, der: () => 1 },
};

/** A seeded uniform generator in [0, 1) (mulberry32), so that every run starts alike. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Unit {
  constructor(activation) {
    this.activation = activation;
    this.bias = 0.1;
    this.inputs = []; // links from the layer below
    this.outputs = []; // links to the layer above
    this.total = 0;
    this.value = 0;
    this.outputDer = 0;
    this.inputDer = 0;
    this.accInputDer = 0;
    this.count = 0;
  }
}

class Link {
  constructor(source, dest, random) {
    this.source = source;
    this.dest = dest;
    this.weight = random() - 0.5;
    this.errorDer = 0;
    this.accErrorDer = 0;
    this.count = 0;
  }
}

/** Layers of units: 2 inputs, the hidden layers, one tanh output; every pair of layers linked. */
function build(hidden, activation, random) {
  const sizes = [2, ...hidden, 1];
  const layers = sizes.map((size, i) => {
    const kind = i === sizes.length - 1 ? ACTIVATIONS.tanh : ACTIVATIONS[activation];
    return Array.from({ length: size }, () => new Unit(kind));
  });
  for (let i = 1; i < layers.length; i++) {
    for (const dest of layers[i]) {
      for (const source of layers[i - 1]) {
        const link = new Link(source, dest, random);
        source.outputs.push(link);
        dest.inputs.push(link);
      }
    }
  }
  return layers;
}

function forward(layers, x, y) {
  layers[0][0].value = x;
  layers[0][1].value = y;
  for (let i = 1; i < layers.length; i++) {
    for (const unit of layers[i]) {
      let total = unit.bias;
      for (const link of unit.inputs) total += link.weight * link.source.value;
      unit.total = total;
      unit.value = unit.activation.f(total);
    }
  }
  return layers[layers.length - 1][0].value;
}

function backward(layers, target) {
  const out = layers[layers.length - 1][0];
  out.outputDer = out.value - target; // squared error, halved
  for (let i = layers.length - 1; i >= 1; i--) {
    for (const unit of layers[i]) {
      unit.inputDer = unit.outputDer * unit.activation.der(unit.total);
      unit.accInputDer += unit.inputDer;
      unit.count++;
      for (const link of unit.inputs) {
        link.errorDer = unit.inputDer * link.source.value;
        link.accErrorDer += link.errorDer;
        link.count++;
      }
    }
    if (i === 1) continue;
    for (const unit of layers[i - 1]) {
      let der = 0;
      for (const link of unit.outputs) der += link.weight * link.dest.inputDer;
      unit.outputDer = der;
    }
  }
}

function update(layers, rate) {
  for (let i = 1; i < layers.length; i++) {
    for (const unit of layers[i]) {
      if (unit.count > 0) {
        unit.bias -= (rate * unit.accInputDer) / unit.count;
        unit.accInputDer = 0;
        unit.count = 0;
      }
      for (const link of unit.inputs) {
        if (link.count > 0) {
          link.weight -= (rate / link.count) * link.accErrorDer;
          link.accErrorDer = 0;
          link.count = 0;
        }
      }
    }
  }
}

/** The share of `points` on the right side of zero. */
function accuracy(layers, points) {
  let right = 0;
  for (const [x, y, label] of points) if (forward(layers, x, y) * label > 0) right++;
  return right / points.length;
}

function main() {
  const job = JSON.parse(process.argv[2]);
  const random = generator(job.seed ?? 1);
  const layers = build(job.hidden, job.activation, random);
  const points = job.points;
  const rate = job.rate ?? 0.03;
  let examples = 0;
  let passes = 0;
  let solved = null;
  const started = process.hrtime.bigint();
  const limit = BigInt(Math.round(job.seconds * 1e9));
  while (process.hrtime.bigint() - started < limit) {
    for (let i = 0; i < points.length; i++) {
      const [x, y, label] = points[i];
      forward(layers, x, y);
      backward(layers, label);
      if ((i + 1) % job.batch === 0) update(layers, rate);
    }
    examples += points.length;
    passes++;
    if (job.test && accuracy(layers, job.test) >= job.goal) {
      solved = Number(process.hrtime.bigint() - started) / 1e9;
      break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const trained = accuracy(layers, points);
  const out = { examples, seconds, per_second: examples / seconds, accuracy: trained };
  console.log(JSON.stringify({ ...out, solved, passes }));
}

main();
