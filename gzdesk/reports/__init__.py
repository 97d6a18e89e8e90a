"""Reports upward: the quarter's 检查整改情况 (南通 附件3), the annual assessment sheet (附件3) and the
排查摸底 census report (临沂 五), each as a PDF to sign and an Excel workbook."""
