from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import ProvisioningCase


@tagged("post_install", "-at_install")
class TestBackendSecurity(ProvisioningCase):
    def test_wsdl_must_be_a_web_url_not_a_server_file(self):
        """The WSDL loader opens local paths: a backend must not point it at the server's
        files (a NOC user would read /etc/passwd or odoo.conf through the adapter)."""
        for wsdl in (
            "file:///etc/passwd",
            "/etc/odoo/odoo.conf",
            "C:\\odoo\\odoo.conf",
            "ftp://x/w",
        ):
            with self.subTest(wsdl=wsdl), self.assertRaises(ValidationError):
                self.soap_backend.wsdl_url = wsdl
                self.soap_backend.flush_recordset()
        self.soap_backend.wsdl_url = "https://oss.example.net/provisioning?wsdl"
        self.soap_backend.flush_recordset()
        self.assertEqual(self.soap_backend.wsdl_url, "https://oss.example.net/provisioning?wsdl")


@tagged("post_install", "-at_install")
class TestBackendSecurityThroughTheForm(ProvisioningCase, HttpCase):
    def test_noc_cannot_save_a_server_file_as_wsdl(self):
        """The way a NOC operator would try it: saving the backend form (``web_save``)."""
        new_test_user(self.env, login="t_wsdl_noc", groups="telecom_catalog.group_telecom_noc")
        self.authenticate("t_wsdl_noc", "t_wsdl_noc")
        before = self.soap_backend.wsdl_url
        for wsdl in ("file:///etc/passwd", "/etc/odoo/odoo.conf"):
            with self.subTest(wsdl=wsdl), self.assertRaises(JsonRpcException) as caught:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": "telecom.provisioning.backend",
                        "method": "web_save",
                        "args": [self.soap_backend.ids, {"wsdl_url": wsdl}],
                        "kwargs": {"specification": {"wsdl_url": {}}},
                    },
                )
            self.assertIn("ValidationError", str(caught.exception))
        self.soap_backend.invalidate_recordset()
        self.assertEqual(self.soap_backend.wsdl_url, before)
