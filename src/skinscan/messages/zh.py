"""简体中文 (Simplified Chinese): the keys of ``en.py``, the words for people in China."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "disclaimer": (
        "这不是诊断。skinscan 是一个研究工具，可能会出错；只有当面为您检查的医生才能诊断皮肤病变。"
        "如果某个斑点是新出现的、正在变化、出血或让您担心，无论这里的结果如何，都请去看医生。"
    ),
    "advice.low": (
        "低风险：从这张照片看，暂时不需要紧急就医。但任何照片都无法排除皮肤癌，请继续留意这个斑点；"
        "如果它的大小、形状或颜色发生变化，或者出血、发痒、让您担心，请去看医生"
        "（警示信号 ABCDE：形状不对称、边缘不规则、颜色不均、直径超过 6 毫米、不断变化）。"
    ),
    "advice.medium": (
        "中等风险：请在接下来几周内预约医生或皮肤科医生，检查这个斑点。模型无法排除它是恶性病变的可能，"
        "只有当面检查才能确定。"
    ),
    "advice.high": ("高风险：请尽快（两周内）去看医生或皮肤科医生，并让医生查看这个斑点。这不是诊断，但不应拖延。"),
    "refusal.photo_unusable": "模型无法判断这张照片，因此没有给出评估。请重新拍一张。",
    "refusal.not_a_lesion": "这张照片看起来不像皮肤上某个斑点的近距离特写，因此模型没有给出评估。",
    "hint.out_of_focus": "照片模糊：请拿稳手机，并在屏幕上点按斑点进行对焦。",
    "hint.too_dark": "照片太暗：请在更明亮的地方拍摄，例如白天靠近窗户。",
    "hint.overexposed": "照片过亮：请避开阳光直射、闪光灯和反光。",
    "hint.low_contrast": "看不清斑点：请靠近一些，让斑点占据画面的大部分。",
    "hint.too_small": "照片太小：请使用更大的照片，或靠近一些拍摄。",
    "hint.not_a_lesion": "请将镜头对准皮肤上的一个斑点，近距离拍摄。",
    "error.empty_file": "上传的文件是空的：请选择一张照片（JPEG、PNG 或 WebP）。",
    "error.not_an_image": "这个文件不是图片。请上传 JPEG、PNG 或 WebP 格式的照片。",
    "error.unsupported_type": "不支持这种文件。请上传 JPEG、PNG 或 WebP 格式的照片。",
    "error.too_many_pixels": "照片的像素太多。请上传一张较小的照片。",
    "error.corrupt_image": "照片已损坏，无法读取。请换一张照片。",
    "error.malformed_jpeg": "这张 JPEG 的结构中夹有无效数据或已损坏，相机不会生成这样的文件。请重新保存后再试。",
    "error.image_too_small": "照片太小，无法判断。请使用更大的照片。",
    "error.upload_too_large": "文件太大。请上传一张较小的照片。",
    "error.too_large": "请求太大。",
    "error.malformed_multipart": "上传的数据格式有误。请在表单字段 image 中发送照片。",
    "error.incomplete_body": "上传未完成就中断了。请重试。",
    "error.not_multipart": "请以 multipart/form-data 格式，在字段 image 中发送照片。",
    "error.missing_field": "没有收到照片：请将照片放在表单字段 image 中。",
    "error.upload_timeout": "上传时间过长。请重试。",
    "error.rate_limited": "请求过于频繁。请稍等片刻再试。",
    "error.not_found": "未找到。",
    "error.method_not_allowed": "此处不允许使用该请求方法。",
    "error.validation_error": "请求无效。",
    "error.bad_request": "请求无效。",
    "error.http_error": "请求失败。",
    "error.invalid_answers": "部分回答无效（年龄：1-120 的整数；其他问题：是、否或不知道）：",
    "error.body_not_allowed": "此地址不接受请求正文。请不带正文重新发送请求。",
    "error.body_timeout": "请求正文传输时间过长。请重试。",
    "error.body_too_slow": "请求正文传输过慢。请在网络更好时重试。",
    "error.chunks_too_small": "请求正文的分块太小。",
    "error.client_gone": "照片解码完成之前连接已关闭。",
    "error.decode_too_slow": "解码这张照片耗时过长。请发送一张更小或更简单的照片。",
    "error.decoder_busy": "服务器正忙于解码其他照片。请稍后再试。",
    "error.forbidden": "不允许访问此地址。",
    "error.header_timeout": "请求头传输时间过长。",
    "error.headers_too_large": "请求头太大。",
    "error.part_headers_too_large": "上传数据中各部分的头信息太大。请在字段 image 中发送照片。",
    "error.range_not_satisfiable": "无法提供所请求的文件范围。",
    "error.request_timeout": "请求耗时过长。",
    "error.server_busy": "服务器正忙。请几秒钟后再试。",
    "error.shutting_down": "服务器正在重启，未能完成此请求。请重试。",
    "error.too_many_part_headers": "上传数据的某一部分头信息过多。请在字段 image 中发送照片。",
    "error.too_many_parts": "上传数据包含的部分过多。请在字段 image 中发送照片。",
    "error.too_many_scans": "这张 JPEG 的扫描次数过多，解码会耗时过长。请将其重新保存为普通 JPEG。",
    "error.trailers_too_large": "请求的尾部头信息太大。",
    "error.unavailable": "服务暂时不可用。请稍后再试。",
    "error.cors_rejected": "此网站无权调用该 API。",
    "error.internal_error": "我们这边出了问题。请重试。",
}
