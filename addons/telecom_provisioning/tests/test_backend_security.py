from odoo.exceptions import ValidationError
from odoo.tests import tagged

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
