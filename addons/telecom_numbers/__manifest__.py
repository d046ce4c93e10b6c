{
    "name": "Telecom Numbers",
    "summary": "Telephone number inventory, lifecycle with legal timers, and number porting",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_catalog"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "views/telecom_numbers_menus.xml",
    ],
    "demo": [],
    "installable": True,
}
