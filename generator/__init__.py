"""nianbao (年报): turns an agency's Excel workbook into its 政府信息公开工作年度报告."""

__version__ = "0.1.0"
