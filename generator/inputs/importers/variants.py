"""Labels real reports print that the 2021 form does not have, and what they mean in it.

The official form (:mod:`generator.form`) names every row and column once; these are the
other names published reports use for them: a renamed row, and the 2019 trial format's
labels (国办公开办函〔2019〕60号, official_format.md §1.8).  Both importers, the table
mapper (:mod:`.tables`) and the sequence reader (:mod:`.sequence`), take them from here.
"""

from __future__ import annotations

from generator.form import T3_OUTCOME_GROUPS
from generator.inputs.labels import normalise

#: Label variants seen in real reports that canonical forms cannot bridge.
T2_ROW_ALIASES: tuple[tuple[str, str], ...] = (("normative_documents", "规范性文件"),)
#: 2019 trial-format labels: canonical label -> 2021 column key, or None if not the same thing.
T2_2019_COLUMNS: dict[str, str | None] = {
    normalise("本年新制作数量"): None,
    normalise("本年新公开数量"): None,
    normalise("对外公开总数量"): None,
    normalise("上一年项目数量"): None,
    normalise("本年增/减"): None,
    normalise("处理决定数量"): "decisions",
    normalise("采购项目数量"): None,
    normalise("采购总金额"): None,
}
T2_2019_ROWS = {normalise("其他对外管理服务事项"), normalise("政府集中采购")}
#: 2019: 「（六）其他处理」 was one row; it is 2021's （六）3.其他.
T3_2019_SINGLE_GROUP = (T3_OUTCOME_GROUPS[-1][0], T3_OUTCOME_GROUPS[-1][1][-1][0])
