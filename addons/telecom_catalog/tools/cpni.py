"""The one declaration of what is CPNI in the suite.

Customer proprietary network information (47 U.S.C. 222) is the call detail, usage and service
mix of a customer. Each model that holds some lists its CPNI fields in ``_telecom_cpni_fields``
(by inheriting ``telecom.cpni.mixin``), in the module where the data lives. The declaration
gives those fields to the CPNI Authorized group only (:class:`TelecomCpniMixin`), and so keeps
them out of reads, searches, groupings, exports and downloads of attachments stored in them;
telecom_regulatory adds the access log on top of it.
"""

CPNI_GROUP = "telecom_catalog.group_telecom_cpni"


def cpni_fields_by_model(env):
    """``{model name: CPNI field names}`` of every model of the registry declaring CPNI."""
    return {
        name: tuple(model._telecom_cpni_fields)
        for name, model in env.registry.items()
        if not model._abstract and getattr(model, "_telecom_cpni_fields", ())
    }
