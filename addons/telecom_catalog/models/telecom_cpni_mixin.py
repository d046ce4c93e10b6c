from odoo import api, models

from ..tools.cpni import CPNI_GROUP


class TelecomCpniMixin(models.AbstractModel):
    """Models holding CPNI list its fields in ``_telecom_cpni_fields``: those fields are given
    to the CPNI Authorized group only, whatever their own definition says (see
    ``telecom_catalog/tools/cpni.py``)."""

    _name = "telecom.cpni.mixin"
    _description = "CPNI Holder"
    _telecom_cpni_fields = ()

    @api.model
    def _setup_base(self):
        super()._setup_base()
        for name in self._telecom_cpni_fields:
            self._fields[name].groups = CPNI_GROUP
