{
    "name": "Telecom Provisioning",
    "summary": "Network connectors (REST, SOAP), provisioning orders, retries, escalation",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_billing"],
    "data": [
        "security/ir.model.access.csv",
        "views/telecom_provisioning_menus.xml",
    ],
    "demo": [],
    "installable": True,
}
