"""The one declaration of what is CPNI in the suite.

Customer proprietary network information (47 U.S.C. 222) is the call detail, usage and service
mix of a customer. Each model that holds some lists its CPNI fields in ``_telecom_cpni_fields``
(by inheriting ``telecom.cpni.mixin``), in the module where the data lives. The declaration
gives those fields to the CPNI Authorized group only (:class:`TelecomCpniMixin`), and so keeps
them out of reads, searches, groupings, exports and downloads of attachments stored in them;
telecom_regulatory adds the access log on top of it.

A model may also name, in ``_telecom_cpni_need_groups``, the groups whose daily work on it
needs its CPNI fields without a CPNI authorization: the use 47 U.S.C. 222(d)(1) allows
(rendering and billing the service: Billing, NOC) and the customer reading its own records on
the portal. Their reads are logged like any other (telecom_regulatory).
"""

CPNI_GROUP = "telecom_catalog.group_telecom_cpni"


def cpni_groups(model):
    """The ``groups`` string of the CPNI fields of ``model``: CPNI Authorized and the groups
    whose work on the model needs them."""
    return ",".join((CPNI_GROUP, *model._telecom_cpni_need_groups))


def cpni_fields_by_model(env):
    """``{model name: CPNI field names}`` of every model of the registry declaring CPNI."""
    return {
        name: tuple(model._telecom_cpni_fields)
        for name, model in env.registry.items()
        if not model._abstract and getattr(model, "_telecom_cpni_fields", ())
    }


def cpni_need_groups_by_model(env):
    """``{model name: groups}`` of the models declaring CPNI whose fields some groups besides
    CPNI Authorized may read for their work."""
    return {
        name: tuple(model._telecom_cpni_need_groups)
        for name, model in env.registry.items()
        if not model._abstract and getattr(model, "_telecom_cpni_need_groups", ())
    }
