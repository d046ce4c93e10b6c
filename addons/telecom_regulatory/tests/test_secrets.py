from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestSecrets(TelecomRegulatoryCase):
    """Secrets typed into wizards are checked or hashed, then leave the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cpni_agent = new_test_user(
            cls.env,
            login="t_secret_agent",
            groups="telecom_catalog.group_telecom_user,telecom_catalog.group_telecom_cpni",
        )

    def _stored(self, wizard, column):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {column} FROM {wizard._table} WHERE id = %s",  # noqa: S608 (test columns)
            [wizard.id],
        )
        return self.env.cr.fetchone()[0]

    def test_secret_wizard_keeps_only_the_hash(self):
        wizard = self.env["telecom.cpni.secret.wizard"].create(
            {
                "partner_id": self.customer.id,
                "password": "Blue-Heron-77",
                "backup_question": "First concert?",
                "backup_answer": "Rolling Stones",
            }
        )
        self.assertEqual(self._stored(wizard, "password"), "Blue-Heron-77")
        wizard.action_set()
        self.assertIsNone(self._stored(wizard, "password"))
        self.assertIsNone(self._stored(wizard, "backup_answer"))
        self.assertTrue(self.customer._telecom_verify_cpni_secret("Blue-Heron-77"))
        self.assertTrue(self.customer._telecom_verify_cpni_secret("rolling stones", "backup"))

    def test_authentication_wizard_forgets_the_answer_given(self):
        self.customer._telecom_set_cpni_secret(password="Blue-Heron-77")
        Auth = self.env["telecom.cpni.authenticate.wizard"].with_user(self.cpni_agent)
        wizard = Auth.create(
            {"partner_id": self.customer.id, "method": "password", "given_secret": "Blue-Heron-77"}
        )
        wizard.action_record()
        self.assertIsNone(self._stored(wizard, "given_secret"))
        result = self.env["telecom.cpni.authentication"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(result.result, "passed")


@tagged("post_install", "-at_install")
class TestSecretsThroughTheForm(TelecomRegulatoryCase, HttpCase):
    """The same, the way staff use the wizards: the form saves the wizard (``web_save``),
    the button runs it (``/web/dataset/call_button``); the secret typed is not left behind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="t_secret_form",
            groups="telecom_catalog.group_telecom_user,telecom_catalog.group_telecom_cpni",
        )

    def _save_and_run(self, model, values, method):
        saved = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": model,
                "method": "web_save",
                "args": [[], values],
                "kwargs": {"specification": {}},
            },
        )
        wizard_id = saved[0]["id"]
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": model, "method": method, "args": [[wizard_id]], "kwargs": {}},
        )
        return self.env[model].browse(wizard_id)

    def _stored(self, wizard, column):
        self.env.cr.execute(
            f"SELECT {column} FROM {wizard._table} WHERE id = %s",  # noqa: S608 (test columns)
            [wizard.id],
        )
        return self.env.cr.fetchone()[0]

    def test_set_password_form_leaves_only_the_hash(self):
        self.authenticate("t_secret_form", "t_secret_form")
        wizard = self._save_and_run(
            "telecom.cpni.secret.wizard",
            {
                "partner_id": self.customer.id,
                "password": "Green-Kestrel-42",
                "backup_question": "First pet?",
                "backup_answer": "Marmalade",
            },
            "action_set",
        )
        self.assertIsNone(self._stored(wizard, "password"))
        self.assertIsNone(self._stored(wizard, "backup_answer"))
        self.assertTrue(self.customer._telecom_verify_cpni_secret("Green-Kestrel-42"))
        self.assertTrue(self.customer._telecom_verify_cpni_secret("marmalade", "backup"))

    def test_authentication_form_forgets_the_answer(self):
        self.customer._telecom_set_cpni_secret(password="Green-Kestrel-42")
        self.authenticate("t_secret_form", "t_secret_form")
        wizard = self._save_and_run(
            "telecom.cpni.authenticate.wizard",
            {
                "partner_id": self.customer.id,
                "method": "password",
                "given_secret": "Green-Kestrel-42",
            },
            "action_record",
        )
        self.assertIsNone(self._stored(wizard, "given_secret"))
        result = self.env["telecom.cpni.authentication"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(result.result, "passed")
