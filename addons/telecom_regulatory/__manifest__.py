{
    "name": "Telecom Regulatory",
    "summary": "FCC BDC subscription files, Form 499-A/499-Q worksheets, CPNI, E911, RND and NRUF",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_billing", "telecom_provisioning"],
    "data": [
        "security/ir.model.access.csv",
        "views/telecom_regulatory_menus.xml",
    ],
    "demo": [],
    "installable": True,
}
