// The words of the convolution mode's matrix view and sliding window, in English and Chinese.

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "matrixview.hint":
      "The first layer as the matrix it is: one row per output position of each channel, one " +
      "column per input sample. Every coloured entry is a copy of the kernel weight of the same " +
      "colour (w = H(u)); grey entries are structural zeros. Point at an entry or a tap to follow " +
      "one weight, click to keep it.",
    "matrixview.size": "{rows} × {cols} matrix · {entries} nonzero entries, copies of {taps} kernel weights",
    "matrixview.taps": "The kernel's weights u (channel o, input i, tap k)",
    "matrixview.tap": "u[{o},{i},{k}] = {value}",
    "matrixview.tapTitle": "output channel {o}, input channel {i}, tap {k}: u = {value}; {count} copies",
    "matrixview.copies": "The {count} copies of u[{o},{i},{k}] and their gradients ∂L/∂w for the shown sample",
    "matrixview.copy": "entry ({row}, {col}) · position {p}",
    "matrixview.sum": "Sum of the copies' gradients: {sum}",
    "matrixview.conv": "torch's gradient of the shared weight (its conv): {conv}",
    "matrixview.equal":
      "They are equal: the gradient of a shared weight is the sum of the gradients of its copies.",
    "matrixview.unequal": "They differ by {diff}: the sum should equal torch's gradient.",
    "matrixview.summedTitle": "the server's sum of the copies: {summed}",
    "matrixview.noGrad":
      "A drawn input has no label, so no loss and no gradient: show a test sample to see the " +
      "copies' gradients.",
    "matrixview.twoD": "The matrix view shows a 1-D layer; switch the data to signals.",
    "matrixview.unshared":
      "An unshared (locally connected) layer has a free weight per entry: nothing is copied, so " +
      "there is no H(u) to draw.",
    "matrixview.params": "Parameters of the whole net: {shared} shared, {unshared} unshared.",
    "matrixview.waiting": "Waiting for a frame…",

    "slide.play": "▶ Play",
    "slide.pause": "❚❚ Pause",
    "slide.position": "Window position",
    "slide.channel": "Output channel",
    "slide.operation": "Operation",
    "slide.cross": "cross-correlation (what the network computes)",
    "slide.conv": "convolution (kernel flipped)",
    "slide.input": "input x (the shown sample; dashed: padding zeros)",
    "slide.kernel": "kernel w, output channel {c}",
    "slide.kernelFlipped": "kernel w flipped, output channel {c}",
    "slide.kernelOwn": "this position's own kernel, output channel {c}",
    "slide.products": "products w·x",
    "slide.output": "output map, filled position by position",
    "slide.at": "Position {p} of {n}: Σ w·x = {sum}, + b ({bias}) = {value}",
    "slide.settings":
      "padding {padding} ({before} before, {after} after), stride {stride}, dilation {dilation}: " +
      "({w} + {before} + {after} − {dilation}·({f} − 1) − 1) / {stride} + 1 = {out} outputs",
    "slide.settings2d": "{w} × {w} in, {out} × {out} out",
    "slide.matches": "Matches the network's layer: yes (largest difference {diff})",
    "slide.noMatch": "Matches the network's layer: no (largest difference {diff})",
    "slide.convDiffers":
      "Differs from the network's layer (largest difference {diff}): PyTorch computes " +
      "cross-correlation. The two agree only for a symmetric kernel.",
    "slide.convSymmetric":
      "This kernel equals its flip (it is symmetric), so convolution gives what the network " +
      "computes (largest difference {diff}).",
    "slide.unshared": "Unshared layer: every position applies a kernel of its own.",
    "slide.waiting": "Waiting for the first layer and its settings…",
  },
  zh: {
    "matrixview.hint":
      "把第一层写成它本来的样子——一个矩阵：每个通道的每个输出位置一行，每个输入采样一列。" +
      "每个彩色元素都是同色卷积核权重的一份拷贝（w = H(u)）；灰色元素是结构上的零。" +
      "把鼠标移到某个元素或某个抽头上可追踪一个权重，点击可固定。",
    "matrixview.size": "{rows} × {cols} 矩阵 · {entries} 个非零元素，都是 {taps} 个卷积核权重的拷贝",
    "matrixview.taps": "卷积核权重 u（输出通道 o，输入通道 i，抽头 k）",
    "matrixview.tap": "u[{o},{i},{k}] = {value}",
    "matrixview.tapTitle": "输出通道 {o}，输入通道 {i}，抽头 {k}：u = {value}；共 {count} 份拷贝",
    "matrixview.copies": "u[{o},{i},{k}] 的 {count} 份拷贝，以及它们对当前样本的梯度 ∂L/∂w",
    "matrixview.copy": "元素 ({row}, {col}) · 位置 {p}",
    "matrixview.sum": "各拷贝梯度之和：{sum}",
    "matrixview.conv": "torch 给出的共享权重梯度（按卷积计算）：{conv}",
    "matrixview.equal": "两者相等：共享权重的梯度就是它所有拷贝的梯度之和。",
    "matrixview.unequal": "两者相差 {diff}：这个和本应等于 torch 的梯度。",
    "matrixview.summedTitle": "服务器算出的拷贝梯度之和：{summed}",
    "matrixview.noGrad": "手绘的输入没有标签，因此没有损失，也没有梯度：显示一个测试样本才能看到各拷贝的梯度。",
    "matrixview.twoD": "矩阵视图只显示一维的层；请把数据切换为信号。",
    "matrixview.unshared": "非共享（局部连接）层的每个元素都是独立的权重：没有任何拷贝，也就没有 H(u) 可画。",
    "matrixview.params": "整个网络的参数：共享 {shared} 个，非共享 {unshared} 个。",
    "matrixview.waiting": "正在等待数据帧…",

    "slide.play": "▶ 播放",
    "slide.pause": "❚❚ 暂停",
    "slide.position": "窗口位置",
    "slide.channel": "输出通道",
    "slide.operation": "运算",
    "slide.cross": "互相关（网络实际计算的）",
    "slide.conv": "卷积（卷积核翻转）",
    "slide.input": "输入 x（当前样本；虚线：补零）",
    "slide.kernel": "卷积核 w，输出通道 {c}",
    "slide.kernelFlipped": "翻转后的卷积核 w，输出通道 {c}",
    "slide.kernelOwn": "这个位置自己的卷积核，输出通道 {c}",
    "slide.products": "乘积 w·x",
    "slide.output": "输出特征图，逐个位置填入",
    "slide.at": "第 {p} 个位置（共 {n} 个）：Σ w·x = {sum}，加上 b（{bias}）= {value}",
    "slide.settings":
      "补零 {padding}（前 {before}，后 {after}），步长 {stride}，膨胀 {dilation}：" +
      "({w} + {before} + {after} − {dilation}·({f} − 1) − 1) / {stride} + 1 = {out} 个输出",
    "slide.settings2d": "输入 {w} × {w}，输出 {out} × {out}",
    "slide.matches": "与网络的这一层一致：是（最大差 {diff}）",
    "slide.noMatch": "与网络的这一层一致：否（最大差 {diff}）",
    "slide.convDiffers": "与网络的这一层不同（最大差 {diff}）：PyTorch 计算的是互相关。只有卷积核对称时两者才相同。",
    "slide.convSymmetric": "这个卷积核与它的翻转相同（是对称的），所以卷积的结果与网络计算的一致（最大差 {diff}）。",
    "slide.unshared": "非共享层：每个位置都用它自己的卷积核。",
    "slide.waiting": "正在等待第一层及其设置…",
  },
});
