from odoo import api, models

from ..tools.cpni import cpni_groups


class TelecomCpniMixin(models.AbstractModel):
    """Models holding CPNI list its fields in ``_telecom_cpni_fields``: those fields are given
    to the CPNI Authorized group only, whatever their own definition says, and to the groups
    of ``_telecom_cpni_need_groups`` whose work on that model needs them (see
    ``telecom_catalog/tools/cpni.py``)."""

    _name = "telecom.cpni.mixin"
    _description = "CPNI Holder"
    _telecom_cpni_fields = ()
    _telecom_cpni_need_groups = ()

    @api.model
    def _setup_base(self):
        super()._setup_base()
        groups = cpni_groups(self)
        for name in self._telecom_cpni_fields:
            self._fields[name].groups = groups
