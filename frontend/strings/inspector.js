// The strings of the layer inspector, the step-through of a layer's operations and the
// build-it-yourself challenges, in English and Chinese.

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "card.inspector": "Inside one layer",
    "insp.hint":
      "Pick a layer, or click a panel above. W and b, W taken apart as rotation · scaling · " +
      "rotation, and what W does to the unit square. Change any of it by hand: training pauses, " +
      "and every stage is redrawn with your weights.",
    "insp.layer": "Layer",
    "insp.layerOption": "layer {layer} · W is {rows}×{cols}",
    "insp.classifierOption": "classifier (layer {layer}) · W is {rows}×{cols}",
    "insp.matrix": "W (weights): row = unit, column = input",
    "insp.bias": "b",
    "insp.cell": "W[{row}][{col}] of layer {layer}",
    "insp.biasCell": "b[{row}] of layer {layer}",
    "insp.dims.raise": "{a} → {b}: W raises the dimension",
    "insp.dims.lower": "{a} → {b}: W lowers the dimension",
    "insp.dims.same": "{a} → {b}: W keeps the dimension",
    "insp.noWeights":
      "A layer that is not 2×2 sends its weights only when they are asked for.",
    "insp.showWeights": "Show the weights",
    "insp.noSvd":
      "W is not 2×2, so there is no reading as rotation · scaling · rotation of the plane here.",
    "insp.svd": "W = R({out}°) · diag({s1}, {s2}) · {flip}R({in}°)",
    "insp.flip": "F · ",
    "insp.angleIn": "first rotation",
    "insp.angleOut": "second rotation",
    "insp.singular": "singular values σ₁ = {s1}, σ₂ = {s2}",
    "insp.det": "det W = {det}",
    "insp.reflects": "reflects: {answer}",
    "insp.yes": "yes",
    "insp.no": "no",
    "insp.shear": "Shear form: W = R({angle}°) · [[{sx}, {shear}], [0, {sy}]]",
    "insp.parts": "Change W by its parts",
    "insp.slider.angle_in": "first rotation (°)",
    "insp.slider.angle_out": "second rotation (°)",
    "insp.slider.s1": "scale σ₁",
    "insp.slider.s2": "scale σ₂",
    "insp.slider.b1": "shift b₁",
    "insp.slider.b2": "shift b₂",
    "insp.slider.reflect": "reflect (F)",
    "insp.basis":
      "The unit square (dashed) and its image under W; the arrows are W e₁ and W e₂, the " +
      "columns of W. Drag a tip to change that column.",
    "insp.e1": "W e₁",
    "insp.e2": "W e₂",
    "insp.now": "Now: training loss {loss}, training accuracy {acc}",
    "insp.after": "After your edit: loss {loss0} → {loss1}, accuracy {acc0} → {acc1}",
    "insp.bad": "“{value}” is not a number from −{max} to {max}: the weight is unchanged.",
    "steps.title": "One operation at a time",
    "steps.prev": "◀ Previous",
    "steps.next": "Next ▶",
    "steps.at": "Layer {layer}, step {i} of {n}: {name}",
    "steps.ready": "Layer {layer}: {n} operations. Press Next to do them one by one.",
    "steps.away":
      "Layer {layer}: {n} operations. Next takes the close-up to layer {layer} and does them one by one.",
    "steps.none": "This network has no such layer.",
    "steps.op.rotate": "rotate",
    "steps.op.reflect": "reflect",
    "steps.op.scale": "scale",
    "steps.op.rotate2": "rotate again",
    "steps.op.shift": "shift",
    "steps.op.fold": "fold",
    "steps.op.raise": "W maps {a} → {b}: raises the dimension",
    "steps.op.lower": "W maps {a} → {b}: lowers the dimension",
    "steps.op.same": "W maps {a} → {b}",
    "challenge.title": "Build it yourself",
    "challenge.pick": "Challenge",
    "challenge.none": "— pick a challenge —",
    "challenge.xor": "XOR, two layers of 2 ReLU units",
    "challenge.circles": "Circles from x₁², x₂², 2 ReLU units",
    "challenge.hint": "Hint: how to build it",
    "challenge.xor.hint.0":
      "The idea: no straight line splits xor, but folds can. Gather one class on a single spot; " +
      "then the other class is all that lies anywhere else.",
    "challenge.xor.hint.1":
      "Layer 1: W = 2·I (scales 2 and 2, angles 0°; or drag the basis vectors to (2, 0) and " +
      "(0, 2)), b = 0. Its fold sends the lower-left quarter to the corner and the two quarters " +
      "of the other class onto the axes.",
    "challenge.xor.hint.2":
      "Layer 2: W = [[0.3, −3], [−3, 0.3]] (angle in −135°, reflect, scales 3.3 and 2.7, angle " +
      "out 135°; or drag the basis vectors to (0.3, −3) and (−3, 0.3)), b = 0. Its fold squashes " +
      "the upper-right quarter onto the corner too; points on an axis stay where they are.",
    "challenge.xor.hint.3":
      "Classifier: W = [[0, 0], [2, 2]] (angle in −45°, scales 2.83 and 0, angle out 90°), " +
      "b = (0.03, 0): class 2 wherever a point is off the corner.",
    "challenge.circles.hint.0":
      "The idea: this network sees x₁² and x₂². A unit that adds them measures r²; shifted by " +
      "−0.25 and folded, it is zero inside radius 0.5 and positive outside.",
    "challenge.circles.hint.1":
      "Layer 1: W = [[1, 1], [0, 0]] (angle in −45°, scales 1.41 and 0, angle out 0°; or drag " +
      "both basis vectors to (1, 0)), b = (−0.25, 0).",
    "challenge.circles.hint.2":
      "Classifier: W = [[0, 0], [4, 0]] (angle in 0°, scales 4 and 0, angle out 90°), " +
      "b = (0.1, 0): class 2 once unit 1 is on.",
    "challenge.goal":
      "Every weight starts at zero. Set them by hand (above) until the training accuracy " +
      "reaches {goal}.",
    "challenge.progress": "Training accuracy {acc}: not yet {goal}.",
    "challenge.solved": "Solved! Training accuracy {acc} reaches the goal of {goal}.",
    "challenge.left": "The data or the network changed: the challenge is over.",
  },
  zh: {
    "card.inspector": "层内细看",
    "insp.hint":
      "选择一层，或点击上方的面板。查看 W 和 b、把 W 拆成 旋转 · 缩放 · 旋转，以及 W 把单位正方形" +
      "变成什么。任何一项都可以手动修改：训练会暂停，每个阶段都按你的权重重画。",
    "insp.layer": "层",
    "insp.layerOption": "第 {layer} 层 · W 为 {rows}×{cols}",
    "insp.classifierOption": "分类器（第 {layer} 层）· W 为 {rows}×{cols}",
    "insp.matrix": "W（权重）：行 = 单元，列 = 输入",
    "insp.bias": "b",
    "insp.cell": "第 {layer} 层的 W[{row}][{col}]",
    "insp.biasCell": "第 {layer} 层的 b[{row}]",
    "insp.dims.raise": "{a} → {b}：W 升高了维数",
    "insp.dims.lower": "{a} → {b}：W 降低了维数",
    "insp.dims.same": "{a} → {b}：W 保持维数不变",
    "insp.noWeights": "不是 2×2 的层只有在请求时才发送权重。",
    "insp.showWeights": "显示权重",
    "insp.noSvd": "W 不是 2×2，这里没有“旋转 · 缩放 · 旋转”的平面解读。",
    "insp.svd": "W = R({out}°) · diag({s1}, {s2}) · {flip}R({in}°)",
    "insp.flip": "F · ",
    "insp.angleIn": "第一次旋转",
    "insp.angleOut": "第二次旋转",
    "insp.singular": "奇异值 σ₁ = {s1}，σ₂ = {s2}",
    "insp.det": "det W = {det}",
    "insp.reflects": "是否翻转：{answer}",
    "insp.yes": "是",
    "insp.no": "否",
    "insp.shear": "剪切形式：W = R({angle}°) · [[{sx}, {shear}], [0, {sy}]]",
    "insp.parts": "按组成部分修改 W",
    "insp.slider.angle_in": "第一次旋转（°）",
    "insp.slider.angle_out": "第二次旋转（°）",
    "insp.slider.s1": "缩放 σ₁",
    "insp.slider.s2": "缩放 σ₂",
    "insp.slider.b1": "平移 b₁",
    "insp.slider.b2": "平移 b₂",
    "insp.slider.reflect": "翻转（F）",
    "insp.basis":
      "单位正方形（虚线）及其在 W 下的像；箭头是 W e₁ 和 W e₂，即 W 的两列。拖动箭头的末端即可修改该列。",
    "insp.e1": "W e₁",
    "insp.e2": "W e₂",
    "insp.now": "当前：训练损失 {loss}，训练准确率 {acc}",
    "insp.after": "你的修改：损失 {loss0} → {loss1}，准确率 {acc0} → {acc1}",
    "insp.bad": "“{value}”不是 −{max} 到 {max} 之间的数：权重未改变。",
    "steps.title": "一次一个操作",
    "steps.prev": "◀ 上一步",
    "steps.next": "下一步 ▶",
    "steps.at": "第 {layer} 层，第 {i} 步（共 {n} 步）：{name}",
    "steps.ready": "第 {layer} 层：{n} 个操作。按“下一步”逐个执行。",
    "steps.away": "第 {layer} 层：{n} 个操作。按“下一步”把特写移到第 {layer} 层并逐个执行。",
    "steps.none": "这个网络没有这一层。",
    "steps.op.rotate": "旋转",
    "steps.op.reflect": "翻转",
    "steps.op.scale": "缩放",
    "steps.op.rotate2": "再次旋转",
    "steps.op.shift": "平移",
    "steps.op.fold": "折叠",
    "steps.op.raise": "W 把 {a} 维映射到 {b} 维：升高维数",
    "steps.op.lower": "W 把 {a} 维映射到 {b} 维：降低维数",
    "steps.op.same": "W 把 {a} 维映射到 {b} 维",
    "challenge.title": "自己动手搭",
    "challenge.pick": "挑战",
    "challenge.none": "— 选择一个挑战 —",
    "challenge.xor": "异或（XOR），两层各 2 个 ReLU 单元",
    "challenge.circles": "由 x₁²、x₂² 分同心圆，2 个 ReLU 单元",
    "challenge.hint": "提示：怎样搭出来",
    "challenge.xor.hint.0":
      "思路：没有一条直线能分开异或，但折叠可以。把一类点全部收到同一个位置，另一类就是其余所有的点。",
    "challenge.xor.hint.1":
      "第 1 层：W = 2·I（缩放 2 和 2，角度 0°；或把基向量拖到 (2, 0) 和 (0, 2)），b = 0。" +
      "它的折叠把左下四分之一送到角点，把另一类的两个四分之一压到坐标轴上。",
    "challenge.xor.hint.2":
      "第 2 层：W = [[0.3, −3], [−3, 0.3]]（输入角 −135°，反射，缩放 3.3 和 2.7，输出角 135°；" +
      "或把基向量拖到 (0.3, −3) 和 (−3, 0.3)），b = 0。它的折叠把右上四分之一也压到角点；" +
      "坐标轴上的点保持不动。",
    "challenge.xor.hint.3":
      "分类层：W = [[0, 0], [2, 2]]（输入角 −45°，缩放 2.83 和 0，输出角 90°），b = (0.03, 0)：" +
      "不在角点上的点都是类别 2。",
    "challenge.circles.hint.0":
      "思路：这个网络看到的是 x₁² 和 x₂²。把两者相加的单元量出 r²；减去 0.25 再折叠，" +
      "它在半径 0.5 以内为零，以外为正。",
    "challenge.circles.hint.1":
      "第 1 层：W = [[1, 1], [0, 0]]（输入角 −45°，缩放 1.41 和 0，输出角 0°；" +
      "或把两个基向量都拖到 (1, 0)），b = (−0.25, 0)。",
    "challenge.circles.hint.2":
      "分类层：W = [[0, 0], [4, 0]]（输入角 0°，缩放 4 和 0，输出角 90°），b = (0.1, 0)：" +
      "单元 1 一旦为正就是类别 2。",
    "challenge.goal": "所有权重从零开始。手动设置它们（见上方），直到训练准确率达到 {goal}。",
    "challenge.progress": "训练准确率 {acc}：尚未达到 {goal}。",
    "challenge.solved": "成功！训练准确率 {acc} 达到了目标 {goal}。",
    "challenge.left": "数据或网络已改变：挑战结束。",
  },
});
