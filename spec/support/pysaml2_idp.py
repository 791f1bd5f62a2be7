#!/usr/bin/python3
"""A pysaml2 identity provider for the specs (Debian's python3-pysaml2 + xmlsec1).

Reads one JSON command on stdin and writes one JSON answer on stdout:

  {"op": "metadata", "idp": {...}}
      -> {"metadataXml": "..."}
  {"op": "respond", "idp": {...}, "spMetadataXml": "...", "samlRequest": "<HTTP-Redirect SAMLRequest>" | null,
   "acsUrl": "...", "spEntityId": "...", "nameId": "...", "identity": {"mail": [...], ...},
   "signResponse": true, "signAssertion": true, "encryptAssertion": false | "aes256-cbc" | "pysaml2-default"}
      -> {"samlResponse": "<base64>", "inResponseTo": "<request ID or null>", "requestAcsUrl": "..."}

"idp" is {"entityId", "ssoUrl", "keyFile", "certFile"}. With a samlRequest, pysaml2 parses our
AuthnRequest itself and answers it; without, the response is IdP-initiated.
"""
import base64
import functools
import json
import os
import sys
import tempfile

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
import saml2.entity

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"

PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def build_server(idp, sp_metadata_xml=None):
    config = {
        "entityid": idp["entityId"],
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [
                        (idp["ssoUrl"], BINDING_HTTP_REDIRECT),
                        (idp["ssoUrl"], BINDING_HTTP_POST),
                    ]
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
            }
        },
        "key_file": idp["keyFile"],
        "cert_file": idp["certFile"],
        "encryption_keypairs": [{"key_file": idp["keyFile"], "cert_file": idp["certFile"]}],
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
    }
    tmp = None
    if sp_metadata_xml is not None:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False)
        tmp.write(sp_metadata_xml)
        tmp.close()
        config["metadata"] = {"local": [tmp.name]}
    conf = IdPConfig()
    conf.load(config)
    return Server(config=conf), tmp


def main():
    command = json.load(sys.stdin)
    idp = command["idp"]
    if command["op"] == "metadata":
        server, _ = build_server(idp)
        print(json.dumps({"metadataXml": str(entity_descriptor(server.config))}))
        return
    server, tmp = build_server(idp, command["spMetadataXml"])
    try:
        in_response_to = None
        acs_url = command["acsUrl"]
        request_acs = None
        if command.get("samlRequest"):
            parsed = server.parse_authn_request(command["samlRequest"], BINDING_HTTP_REDIRECT)
            in_response_to = parsed.message.id
            request_acs = parsed.message.assertion_consumer_service_url
        sp_entity_id = command["spEntityId"]
        encryption = command.get("encryptAssertion") or False
        if encryption == "aes256-cbc":
            # pysaml2 encrypts with 3DES unless told otherwise; this is how a deployment picks AES.
            saml2.entity.pre_encryption_part = functools.partial(saml2.entity.pre_encryption_part, msg_enc=AES256_CBC)
            server.sec.encrypt_assertion = functools.partial(server.sec.encrypt_assertion, key_type="aes-256")
        response = server.create_authn_response(
            identity=command["identity"],
            in_response_to=in_response_to,
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=command["nameId"]),
            authn={"class_ref": PASSWORD_PROTECTED, "authn_auth": idp["entityId"]},
            sign_response=bool(command.get("signResponse", True)),
            sign_assertion=bool(command.get("signAssertion", True)),
            encrypt_assertion=bool(encryption),
            sign_alg=RSA_SHA256,
            digest_alg=SHA256,
        )
        print(
            json.dumps(
                {
                    "samlResponse": base64.b64encode(str(response).encode("utf-8")).decode("ascii"),
                    "inResponseTo": in_response_to,
                    "requestAcsUrl": request_acs,
                }
            )
        )
    finally:
        if tmp is not None:
            os.unlink(tmp.name)


if __name__ == "__main__":
    main()
