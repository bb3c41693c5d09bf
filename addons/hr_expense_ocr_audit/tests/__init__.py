from . import test_ocr_access, test_ocr_job
