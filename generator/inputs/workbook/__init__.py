"""The input workbook: its layout, the blank-workbook writer and the reader."""
