{
    "name": "Telecom Billing",
    "summary": "Subscriptions, bill runs, proration, usage rating, taxes and fees, dunning",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_numbers"],
    "data": [
        "security/ir.model.access.csv",
        "views/telecom_billing_menus.xml",
    ],
    "demo": [],
    "installable": True,
}
