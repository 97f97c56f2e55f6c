// Every visible string, in English and Chinese, and the little machinery to switch live.

const STRINGS = {
  en: {
    "app.tagline": "Watch a neural network fold the plane, layer by layer",
    "lang.toggle": "中文",
    "lang.toggle.title": "切换到中文",

    "section.run": "Run",
    "section.data": "Data",
    "section.model": "Network",
    "section.train": "Training",
    "section.view": "View",
    "section.more": "More training options",
    "field.model.init": "Initial weights",
    "field.model.dropout": "Dropout",
    "field.train.batch_size": "Batch size",
    "field.train.loss": "Loss",
    "field.train.penalty": "Penalty",
    "field.train.rate": "Penalty rate",
    "field.train.decay": "Rate decay",
    "field.train.decay_every": "Halve every (steps)",
    "choice.allPoints": "all (full batch)",
    "choice.fastest": "as fast as possible",
    "choice.auto": "auto",
    "choice.uniform": "uniform",
    "choice.gaussian": "Gaussian",
    "choice.glorot": "Glorot",
    "choice.he": "He",
    "choice.zero": "zero",
    "choice.elu": "ELU",
    "choice.gelu": "GELU",
    "choice.softplus": "softplus",
    "choice.momentum": "SGD + momentum",
    "choice.nesterov": "Nesterov",
    "choice.adagrad": "Adagrad",
    "choice.rmsprop": "RMSprop",
    "choice.cross_entropy": "cross-entropy",
    "choice.hinge": "hinge",
    "choice.squared": "squared error",
    "choice.none": "none",
    "choice.l1": "L1",
    "choice.l2": "L2",
    "choice.step": "step",
    "choice.exponential": "exponential",
    "choice.inverse": "inverse time",
    "metrics.epoch": "epoch {epoch}",

    "btn.play": "Play",
    "btn.pause": "Pause",
    "btn.step": "Step",
    "btn.reset": "Reset",
    "btn.newSeed": "New seed",
    "btn.dismiss": "Dismiss",
    "hint.keys": "Keys: space = play/pause, s = one step, ? = every shortcut",

    "field.view.speed": "Speed (steps a frame at 30 fps)",
    "field.preset": "Preset",
    "field.data.dataset": "Dataset",
    "field.data.classes": "Classes",
    "field.data.points": "Points",
    "field.data.noise": "Noise",
    "field.data.turns": "Spiral turns",
    "hint.turns": "Only these datasets have turns: {datasets}",
    "field.data.test_ratio": "Test share",
    "field.data.seed": "Seed",
    "field.model.width": "Hidden width",
    "field.model.depth": "Hidden layers",
    "field.model.activation": "Activation",
    "field.train.optimizer": "Optimizer",
    "field.train.lr": "Learning rate",
    "field.view.projection": "Wide layers",
    "field.view.pair": "Units shown",
    "field.view.regions": "Regions in every stage",
    "field.view.grid_lines": "Grid lines",
    "field.view.region_resolution": "Region detail (input)",
    "field.view.stage_region_resolution": "Region detail (stages)",
    "hint.pair": "Which two units a layer wider than 2 shows",
    "hint.classes": "Only these datasets have more than 2 classes: {datasets}",

    "preset.custom": "Custom",
    "preset.default": "Default",
    "preset.lecture": "Lecture",
    "preset.lecture_solved": "Lecture, solved",
    "preset.wide": "Wide",

    "choice.spiral": "Spiral",
    "choice.playground_spiral": "Spiral (Playground)",
    "choice.circles": "Circles",
    "choice.moons": "Moons",
    "choice.xor": "XOR",
    "choice.gaussians": "Gaussian blobs",
    "choice.checkerboard": "Checkerboard",
    "choice.relu": "ReLU",
    "choice.leaky_relu": "Leaky ReLU",
    "choice.tanh": "tanh",
    "choice.sigmoid": "sigmoid",
    "choice.linear": "linear (none)",
    "choice.sgd": "SGD",
    "choice.adam": "Adam",
    "choice.pair": "a unit pair",
    "choice.pca": "PCA",
    "choice.3d": "3D (width 3)",

    "status.connecting": "Connecting…",
    "status.training": "Training",
    "status.paused": "Paused",
    "status.lost": "Disconnected",

    "card.input": "Input plane · decision regions",
    "card.metrics": "Progress",
    "card.stages": "Layer by layer: where the network moves the plane",
    "card.stages.hint":
      "Each panel shows every data point and the input grid after one step of the network. " +
      "Affine maps rotate, stretch and shift the sheet; folds bend it along the axes. " +
      "A dark ring marks a point merged with a point of another class: they lie on one spot, " +
      "and no later layer can pull them apart, so one of them stays misclassified. A square " +
      "marks a point folded to zero in every unit; that alone loses nothing while its pile " +
      "holds one class. Click a panel to see it large below.",

    "metrics.step": "Step",
    "metrics.loss": "Loss",
    "metrics.acc": "Accuracy",
    "metrics.train": "Train",
    "metrics.test": "Test",
    "metrics.network": "Network #{generation}",
    "chart.trainLoss": "train loss",
    "chart.testLoss": "test loss",
    "chart.trainAcc": "train acc.",
    "chart.testAcc": "test acc.",
    "chart.step": "step",

    "legend.class": "class {k}",
    "legend.train": "train",
    "legend.test": "test",
    "legend.wrong": "misclassified",
    "legend.grid": "input grid",

    "stage.input": "input",
    "stage.affine": "affine {layer} · W·x+b",
    "stage.fold": "fold {layer} · {act}",
    "stage.output": "output · logits",
    "stage.units": "units {a},{b} of {n}",
    "stage.unit1": "unit 1 of 1",
    "stage.pca": "PCA of {n} units",
    "stage.3d": "3 units, oblique view",
    "stage.3dTurn": "3 units in 3D: drag to turn",
    "stage.merged": "{pct}% merged",
    "stage.dead": "{pct}% dead",
    "stage.deadUnits": "dead units {units}",
    "stages.projected":
      "Layers wider than 2 are drawn as projections, which have no decision regions of their own.",

    "card.focus": "Close-up",
    "focus.hint": "Click a panel above to see it here; play or drag to move through the network.",
    "focus.deadLabel": "{count} folded to 0 so far",
    "focus.unit": "unit {n}",
    "dead.none": "{act} never outputs exactly zero: no point or unit is ever dead.",
    "dead.unitsNow": "Dead units now:",
    "dead.unitsOf": "layer {layer}: {units}",
    "dead.noUnits": "No dead units now.",
    "stages.lock": "Lock axes",
    "stages.lock.title":
      "Keep every panel's axes as they are, so that motion between frames reads as motion",
    "stage.features": "features",
    "short.input": "in",
    "short.features": "feat",
    "short.affine": "A{layer}",
    "short.fold": "F{layer}",
    "short.output": "out",
    "regions.projection":
      "No decision regions here: this stage is drawn as a projection ({caption}), and regions " +
      "are defined only on a stage's own plane.",
    "regions.projectionShort": "projection · no regions",
    "regions.line": "No decision regions here: a stage of one unit is a line, not a plane.",
    "regions.lineShort": "one unit · no regions",
    "regions.off": "Decision regions of hidden stages are off (View → Regions in every stage).",
    "legend.merged": "merged with another class",
    "legend.dead": "folded to zero",
    "legend.value": "target value",
    "morph.play": "▶ Play",
    "morph.pause": "❚❚ Pause",
    "morph.scrub": "Position in the network",
    "morph.speed": "Speed of the morph",
    "morph.secondsPerStage": "{n} s per stage",
    "morph.at": "Stage {p} of {last}: {name}",
    "morph.rotate": "Rotate by {deg}° (the first rotation of W = rotation · scaling · rotation)",
    "morph.reflect": "Reflect: flip over the horizontal axis (det W = {det} < 0)",
    "morph.noReflect": "No reflection: det W = {det} > 0 keeps the orientation",
    "morph.scale": "Scale by ×{s1} and ×{s2} along the singular directions",
    "morph.rotate2": "Rotate by {deg}° (the second rotation)",
    "morph.shift": "Shift by the bias b = ({b1}, {b2})",
    "morph.fold.relu":
      "Fold (ReLU): every negative coordinate becomes 0; the plane is folded onto the axes",
    "morph.fold.leaky_relu": "Fold (leaky ReLU): negative coordinates shrink to a tenth",
    "morph.fold.elu": "Fold (ELU): negative coordinates bend towards −1",
    "morph.fold.gelu": "Fold (GELU): negative coordinates bend smoothly towards 0",
    "morph.fold.softplus": "Fold (softplus): a smooth ReLU, every coordinate becomes log(1 + eᶻ)",
    "morph.fold.tanh": "Squash (tanh): every coordinate is pressed into (−1, 1)",
    "morph.fold.sigmoid": "Squash (sigmoid): every coordinate is pressed into (0, 1)",
    "morph.fold.linear": "No fold: the activation is linear, the plane stays flat",
    "morph.projected": "(Seen through the projection.)",
    "morph.features": "Straight interpolation to the {n} input features",
    "morph.straight": "Straight interpolation (1−t)·a + t·b of the drawn points:",
    "morph.raise": "W maps {a} units to {b}, raising the dimension (drawn through a projection).",
    "morph.lower": "W maps {a} units to {b}, lowering the dimension.",
    "morph.same": "W is {b}×{a}: there is no 2×2 path to show.",
    "phase.rotate": "rotate",
    "phase.reflect": "reflect",
    "phase.scale": "scale",
    "phase.rotate2": "rotate",
    "phase.shift": "shift",
    "phase.fold": "fold",
    "phase.straight": "interpolate",
    "info.shape": "W is {rows}×{cols}",
    "info.map": "W = {w}, b = ({b})",
    "info.svd": "In order: rotate {a}°, scale ×{s1} and ×{s2}, rotate {b}°; det W = {det}",
    "info.svdReflect":
      "In order: rotate {a}°, reflect, scale ×{s1} and ×{s2}, rotate {b}°; det W = {det}",
    "info.merged":
      "{pct}% of the points now lie on a point of another class: no later layer can split them",
    "info.dead": "This fold sends {pct}% of the points to zero in every unit",
    "info.deadUnits": "Dead units (zero for every point): {units}",
    "info.noDeadUnits": "No dead units",
    "info.line": "The classifier's line here: {a}·z₁ + {b}·z₂ + {c} = 0",

    "msg.error": "The server refused that: {message}",
    "msg.allowed": "Allowed: {allowed}.",
    "msg.diverged": "Training diverged at step {step}: {message}",
    "msg.lost": "Lost the connection to the server. Reconnecting…",
    "msg.notice": "{message}",
    "msg.resumed": "Reconnected: your experiment is back as you left it (step {step}).",
    "msg.restored": "The server that held your experiment stopped. It was reopened from its autosave of {age} s ago, at step {step}; what happened after that is lost.",
    "msg.badFrame": "Could not read a frame from the server: {message}",
    "msg.badLink": "Ignored “{key}={value}” from the link: {why}",
    "msg.schema": "Could not load the settings from the server: {message}",
    "why.unknown": "unknown setting",
    "why.notNumber": "not a number",
    "why.notInteger": "not a whole number",
    "why.range": "must be between {min} and {max}",
    "why.choice": "must be one of {choices}",
    "why.preset": "unknown preset",
    "why.notBoolean": "not true or false",
    "why.notList": "not a list of whole numbers like 0,1",
  },
  zh: {
    "app.tagline": "看神经网络如何一层一层地折叠平面",
    "lang.toggle": "English",
    "lang.toggle.title": "Switch to English",

    "section.run": "运行",
    "section.data": "数据",
    "section.model": "网络",
    "section.train": "训练",
    "section.view": "显示",
    "section.more": "更多训练选项",
    "field.model.init": "初始权重",
    "field.model.dropout": "Dropout",
    "field.train.batch_size": "批大小",
    "field.train.loss": "损失函数",
    "field.train.penalty": "正则化",
    "field.train.rate": "正则化强度",
    "field.train.decay": "学习率衰减",
    "field.train.decay_every": "每多少步减半",
    "choice.allPoints": "全部（整批）",
    "choice.fastest": "尽可能快",
    "choice.auto": "自动",
    "choice.uniform": "均匀分布",
    "choice.gaussian": "高斯分布",
    "choice.glorot": "Glorot",
    "choice.he": "He",
    "choice.zero": "全零",
    "choice.elu": "ELU",
    "choice.gelu": "GELU",
    "choice.softplus": "softplus",
    "choice.momentum": "带动量的 SGD",
    "choice.nesterov": "Nesterov",
    "choice.adagrad": "Adagrad",
    "choice.rmsprop": "RMSprop",
    "choice.cross_entropy": "交叉熵",
    "choice.hinge": "合页损失",
    "choice.squared": "平方误差",
    "choice.none": "无",
    "choice.l1": "L1",
    "choice.l2": "L2",
    "choice.step": "阶梯",
    "choice.exponential": "指数",
    "choice.inverse": "反比例",
    "metrics.epoch": "第 {epoch} 轮",

    "btn.play": "开始",
    "btn.pause": "暂停",
    "btn.step": "单步",
    "btn.reset": "重置",
    "btn.newSeed": "换个种子",
    "btn.dismiss": "关闭",
    "hint.keys": "快捷键：空格 = 开始/暂停，s = 单步，? = 全部快捷键",

    "field.view.speed": "速度（按每秒 30 帧计的每帧步数）",
    "field.preset": "预设",
    "field.data.dataset": "数据集",
    "field.data.classes": "类别数",
    "field.data.points": "点数",
    "field.data.noise": "噪声",
    "field.data.turns": "螺旋圈数",
    "hint.turns": "只有这些数据集有圈数：{datasets}",
    "field.data.test_ratio": "测试集比例",
    "field.data.seed": "随机种子",
    "field.model.width": "隐藏层宽度",
    "field.model.depth": "隐藏层数",
    "field.model.activation": "激活函数",
    "field.train.optimizer": "优化器",
    "field.train.lr": "学习率",
    "field.view.projection": "宽层显示方式",
    "field.view.pair": "显示的单元",
    "field.view.regions": "每一层都画决策区域",
    "field.view.grid_lines": "网格线数",
    "field.view.region_resolution": "决策区域精度（输入）",
    "field.view.stage_region_resolution": "决策区域精度（各层）",
    "hint.pair": "宽于 2 的层显示哪两个单元",
    "hint.classes": "只有这些数据集可以多于 2 类：{datasets}",

    "preset.custom": "自定义",
    "preset.default": "默认",
    "preset.lecture": "课堂",
    "preset.lecture_solved": "课堂（可解）",
    "preset.wide": "宽网络",

    "choice.spiral": "螺旋",
    "choice.playground_spiral": "螺旋（Playground 式）",
    "choice.circles": "同心圆",
    "choice.moons": "双月",
    "choice.xor": "异或",
    "choice.gaussians": "高斯团",
    "choice.checkerboard": "棋盘格",
    "choice.relu": "ReLU",
    "choice.leaky_relu": "Leaky ReLU",
    "choice.tanh": "tanh",
    "choice.sigmoid": "sigmoid",
    "choice.linear": "线性（无激活）",
    "choice.sgd": "SGD",
    "choice.adam": "Adam",
    "choice.pair": "两个单元",
    "choice.pca": "主成分 PCA",
    "choice.3d": "三维（宽度 3）",

    "status.connecting": "正在连接…",
    "status.training": "训练中",
    "status.paused": "已暂停",
    "status.lost": "连接已断开",

    "card.input": "输入平面 · 决策区域",
    "card.metrics": "训练进度",
    "card.stages": "逐层变换：网络把平面搬到了哪里",
    "card.stages.hint":
      "每个面板显示所有数据点和输入网格经过网络某一步之后的样子。" +
      "仿射变换旋转、拉伸、平移这张纸；激活函数沿坐标轴把它折叠。" +
      "深色圆圈标出与另一类的点合并的点：它们落在同一处，之后任何一层都无法再把它们分开，" +
      "其中之一将一直被分错。方框标出在所有单元上都被折叠到零的点；只要那一堆点属于同一类，" +
      "这本身并不丢失什么。点击面板可在下方放大查看。",

    "metrics.step": "步数",
    "metrics.loss": "损失",
    "metrics.acc": "准确率",
    "metrics.train": "训练集",
    "metrics.test": "测试集",
    "metrics.network": "第 {generation} 个网络",
    "chart.trainLoss": "训练损失",
    "chart.testLoss": "测试损失",
    "chart.trainAcc": "训练准确率",
    "chart.testAcc": "测试准确率",
    "chart.step": "步数",

    "legend.class": "类别 {k}",
    "legend.train": "训练点",
    "legend.test": "测试点",
    "legend.wrong": "分错的点",
    "legend.grid": "输入网格",

    "stage.input": "输入",
    "stage.affine": "仿射 {layer} · W·x+b",
    "stage.fold": "折叠 {layer} · {act}",
    "stage.output": "输出 · logits",
    "stage.units": "单元 {a},{b}（共 {n} 个）",
    "stage.unit1": "单元 1（共 1 个）",
    "stage.pca": "{n} 个单元的主成分",
    "stage.3d": "3 个单元，斜视图",
    "stage.3dTurn": "3 个单元的三维视图：拖动可旋转",
    "stage.merged": "{pct}% 合并",
    "stage.dead": "{pct}% 死点",
    "stage.deadUnits": "死单元 {units}",
    "stages.projected": "宽于 2 的层以投影方式显示，投影上没有它自己的决策区域。",

    "card.focus": "特写",
    "focus.hint": "点击上面的面板在这里放大查看；播放或拖动滑块，穿过整个网络。",
    "focus.deadLabel": "已有 {count} 个点被折叠到 0",
    "focus.unit": "单元 {n}",
    "dead.none": "{act} 从不输出恰好为零的值：没有死点，也没有死单元。",
    "dead.unitsNow": "当前的死单元：",
    "dead.unitsOf": "第 {layer} 层：{units}",
    "dead.noUnits": "当前没有死单元。",
    "stages.lock": "锁定坐标轴",
    "stages.lock.title": "保持每个面板的坐标轴不变，这样帧与帧之间看到的变化就是点真正的移动",
    "stage.features": "特征",
    "short.input": "输入",
    "short.features": "特征",
    "short.affine": "仿{layer}",
    "short.fold": "折{layer}",
    "short.output": "输出",
    "regions.projection":
      "这里没有决策区域：这一层以投影方式显示（{caption}），决策区域只在层自己的平面上才有定义。",
    "regions.projectionShort": "投影 · 无决策区域",
    "regions.line": "这里没有决策区域：只有一个单元的层是一条线，不是平面。",
    "regions.lineShort": "单个单元 · 无决策区域",
    "regions.off": "隐藏层的决策区域已关闭（显示 → 每一层都画决策区域）。",
    "legend.merged": "与另一类合并",
    "legend.dead": "被折叠到零",
    "legend.value": "目标值",
    "morph.play": "▶ 播放",
    "morph.pause": "❚❚ 暂停",
    "morph.scrub": "在网络中的位置",
    "morph.speed": "变形速度",
    "morph.secondsPerStage": "每步 {n} 秒",
    "morph.at": "第 {p} 步（共 {last} 步）：{name}",
    "morph.rotate": "旋转 {deg}°（W = 旋转 · 缩放 · 旋转 中的第一次旋转）",
    "morph.reflect": "镜像：沿水平轴翻转（det W = {det} < 0）",
    "morph.noReflect": "无需镜像：det W = {det} > 0，方向保持不变",
    "morph.scale": "沿两个奇异方向分别缩放 ×{s1} 和 ×{s2}",
    "morph.rotate2": "再旋转 {deg}°（第二次旋转）",
    "morph.shift": "按偏置 b = ({b1}, {b2}) 平移",
    "morph.fold.relu": "折叠（ReLU）：每个负坐标都变成 0，平面被折到坐标轴上",
    "morph.fold.leaky_relu": "折叠（Leaky ReLU）：负坐标缩小到十分之一",
    "morph.fold.elu": "折叠（ELU）：负坐标弯向 −1",
    "morph.fold.gelu": "折叠（GELU）：负坐标平滑地弯向 0",
    "morph.fold.softplus": "折叠（softplus）：平滑的 ReLU，每个坐标变成 log(1 + eᶻ)",
    "morph.fold.tanh": "挤压（tanh）：每个坐标被压进 (−1, 1)",
    "morph.fold.sigmoid": "挤压（sigmoid）：每个坐标被压进 (0, 1)",
    "morph.fold.linear": "没有折叠：激活函数是线性的，平面保持平整",
    "morph.projected": "（通过投影观察。）",
    "morph.features": "直线插值到 {n} 个输入特征",
    "morph.straight": "对所画的点做直线插值 (1−t)·a + t·b：",
    "morph.raise": "W 把 {a} 维映射到 {b} 维，升高了维度（通过投影显示）。",
    "morph.lower": "W 把 {a} 维映射到 {b} 维，降低了维度。",
    "morph.same": "W 是 {b}×{a} 矩阵：没有 2×2 的分解路径可以演示。",
    "phase.rotate": "旋转",
    "phase.reflect": "镜像",
    "phase.scale": "缩放",
    "phase.rotate2": "旋转",
    "phase.shift": "平移",
    "phase.fold": "折叠",
    "phase.straight": "插值",
    "info.shape": "W 是 {rows}×{cols} 矩阵",
    "info.map": "W = {w}，b = ({b})",
    "info.svd": "依次：旋转 {a}°，缩放 ×{s1} 和 ×{s2}，旋转 {b}°；det W = {det}",
    "info.svdReflect": "依次：旋转 {a}°，镜像，缩放 ×{s1} 和 ×{s2}，旋转 {b}°；det W = {det}",
    "info.merged": "{pct}% 的点与另一类的点落在同一处：之后任何一层都无法再把它们分开",
    "info.dead": "这一次折叠把 {pct}% 的点在所有单元上都变成零",
    "info.deadUnits": "死单元（对所有点都为零）：{units}",
    "info.noDeadUnits": "没有死单元",
    "info.line": "分类器在这里的直线：{a}·z₁ + {b}·z₂ + {c} = 0",

    "msg.error": "服务器拒绝了这个操作：{message}",
    "msg.allowed": "允许的值：{allowed}。",
    "msg.diverged": "训练在第 {step} 步发散了：{message}",
    "msg.lost": "与服务器的连接断开了，正在重新连接…",
    "msg.notice": "{message}",
    "msg.resumed": "已重新连接：你的实验和离开时一样（第 {step} 步）。",
    "msg.restored": "保存你实验的服务器停止了。实验已从 {age} 秒前的自动保存恢复，回到第 {step} 步；之后的进展丢失了。",
    "msg.badFrame": "无法读取服务器发来的帧：{message}",
    "msg.badLink": "已忽略链接中的 “{key}={value}”：{why}",
    "msg.schema": "无法从服务器加载设置：{message}",
    "why.unknown": "未知的设置",
    "why.notNumber": "不是数字",
    "why.notInteger": "不是整数",
    "why.range": "应在 {min} 到 {max} 之间",
    "why.choice": "应为 {choices} 之一",
    "why.preset": "未知的预设",
    "why.notBoolean": "不是 true 或 false",
    "why.notList": "不是像 0,1 这样的整数列表",
  },
};

export const LANGUAGES = Object.keys(STRINGS);

/**
 * Add a feature's own strings ({en: {...}, zh: {...}}), so each view can keep its words beside
 * it in a module of its own. A key given twice is a mistake and throws at load time.
 */
export function addStrings(tables) {
  for (const [lang, table] of Object.entries(tables)) {
    if (!(lang in STRINGS)) throw new Error(`addStrings: unknown language ${lang}`);
    for (const [key, text] of Object.entries(table)) {
      if (key in STRINGS[lang]) throw new Error(`addStrings: ${lang} key ${key} given twice`);
      STRINGS[lang][key] = text;
    }
  }
}

let current = "en";
const listeners = new Set();

/** The language to start in: ?lang=…, then the last choice, then the browser's language. */
export function initialLanguage() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl && fromUrl in STRINGS) return fromUrl;
  let stored = null;
  try {
    stored = localStorage.getItem("spacefold.lang");
  } catch {
    stored = null;
  }
  if (stored && stored in STRINGS) return stored;
  const browser = (navigator.language || "en").toLowerCase();
  return browser.startsWith("zh") ? "zh" : "en";
}

/** Every key of every language (the tests check that both languages have the same keys). */
export function allKeys() {
  return Object.fromEntries(Object.entries(STRINGS).map(([lang, table]) => [lang, Object.keys(table)]));
}

export function getLanguage() {
  return current;
}

/** Switch language, remember the choice, relabel the static page and tell every listener. */
export function setLanguage(lang) {
  if (!(lang in STRINGS)) return;
  current = lang;
  try {
    localStorage.setItem("spacefold.lang", lang);
  } catch {
    // private mode: the choice just is not remembered
  }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  translatePage(document);
  for (const listener of listeners) listener(lang);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Look up `key` in the current language and fill in `{name}` placeholders from `params`. */
export function t(key, params = {}) {
  const table = STRINGS[current];
  let text = table[key] ?? STRINGS.en[key];
  if (text === undefined) return key;
  for (const [name, value] of Object.entries(params)) {
    text = text.replaceAll(`{${name}}`, String(value));
  }
  return text;
}

/** Does a translation exist for `key`? (Used for labels of values the server may add.) */
export function has(key) {
  return key in STRINGS.en;
}

/** Fill every element marked data-i18n (text) or data-i18n-title (tooltip) under `root`. */
export function translatePage(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    el.title = t(el.dataset.i18nTitle);
  }
}
