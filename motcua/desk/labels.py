"""Labels that live in the pure core or in model choices, marked here for translation.

The core cannot import Django, so its Vietnamese labels are listed with gettext_noop for
makemessages; templates translate them with {% translate variable %}.
"""

from django.utils.translation import gettext_noop

from motcua.catalog.models import Procedure
from motcua.core.blame import OUTCOME_LABELS
from motcua.core.lifecycle import ACTION_LABELS, STATUS_LABELS
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import BUCKETS

MARKED = [
    gettext_noop("Mới đăng ký"),
    gettext_noop("Được tiếp nhận"),
    gettext_noop("Không được tiếp nhận"),
    gettext_noop("Đang xử lý"),
    gettext_noop("Yêu cầu bổ sung giấy tờ"),
    gettext_noop("Yêu cầu thực hiện nghĩa vụ tài chính"),
    gettext_noop("Công dân yêu cầu rút hồ sơ"),
    gettext_noop("Dừng xử lý"),
    gettext_noop("Đã xử lý xong"),
    gettext_noop("Đã trả kết quả"),
    gettext_noop("Nộp hồ sơ"),
    gettext_noop("Tiếp nhận hồ sơ"),
    gettext_noop("Từ chối tiếp nhận"),
    gettext_noop("Yêu cầu bổ sung hồ sơ"),
    gettext_noop("Công dân bổ sung hồ sơ"),
    gettext_noop("Phân công xử lý"),
    gettext_noop("Chuyển bước tiếp theo"),
    gettext_noop("Trả lại bước trước"),
    gettext_noop("Yêu cầu nộp phí, lệ phí"),
    gettext_noop("Đã nộp phí, lệ phí"),
    gettext_noop("Đề xuất kết quả"),
    gettext_noop("Phê duyệt kết quả"),
    gettext_noop("Có kết quả, chờ trả"),
    gettext_noop("Trả kết quả"),
    gettext_noop("Dừng giải quyết hồ sơ"),
    gettext_noop("Dự thảo văn bản xin lỗi, gia hạn"),
    gettext_noop("Ký văn bản xin lỗi, gia hạn"),
    gettext_noop("Cảnh báo sắp đến hạn"),
    gettext_noop("Quá hạn xử lý"),
    gettext_noop("Trước hạn"),
    gettext_noop("Đúng hạn"),
    gettext_noop("Quá hạn"),
    gettext_noop("Trực tiếp"),
    gettext_noop("Trực tuyến"),
    gettext_noop("Bưu chính công ích"),
    gettext_noop("Nhận trực tiếp tại Bộ phận một cửa"),
    gettext_noop("Nhận qua dịch vụ bưu chính công ích"),
    gettext_noop("Nhận bản điện tử"),
    gettext_noop("Đến hạn hôm nay"),
    gettext_noop("Sắp đến hạn"),
    gettext_noop("Còn hạn"),
    gettext_noop("Cấp xã"),
    gettext_noop("Cấp tỉnh"),
    gettext_noop("Cấp trung ương"),
]


def unmarked_labels() -> set[str]:
    """Labels shown in the interface that are missing from MARKED (a test keeps this empty)."""
    shown = {
        *STATUS_LABELS.values(),
        *ACTION_LABELS.values(),
        *OUTCOME_LABELS.values(),
        *(str(label) for _, label in Dossier.Channel.choices),
        *(str(label) for _, label in Dossier.Delivery.choices),
        *(str(label) for _, label in Procedure.Level.choices),
        *(label for _, label in BUCKETS),
    }
    return shown - set(MARKED)
