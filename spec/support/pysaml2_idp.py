#!/usr/bin/python3
"""A pysaml2 identity provider for the specs (Debian's python3-pysaml2 + xmlsec1).

Reads one JSON command on stdin and writes one JSON answer on stdout:

  {"op": "metadata", "idp": {...}}
      -> {"metadataXml": "..."}
  {"op": "respond", "idp": {...}, "spMetadataXml": "...", "samlRequest": "<SAMLRequest>" | null,
   "binding": "redirect" | "post", "query": "<raw query, redirect>",
   "acsUrl": "...", "spEntityId": "...", "nameId": "...", "identity": {"mail": [...], ...},
   "signResponse": true, "signAssertion": true, "encryptAssertion": false | "aes256-cbc" | "pysaml2-default"}
      -> {"samlResponse": "<base64>", "inResponseTo": "<request ID or null>", "requestAcsUrl": "...",
          "signatureVerified": true | false | null}

  {"op": "logout-respond", "idp": {...}, "spMetadataXml": "...", "binding": "redirect" | "post",
   "samlRequest": "...", "query": "<raw query, redirect>", "relayState": "..."}
      -> {"nameId", "sessionIndexes", "signatureVerified", "http": <message>}
  {"op": "logout-request", "idp": {...}, "spMetadataXml": "...", "spEntityId": "...", "sloUrl": "...",
   "binding": "...", "nameId": "...", "sessionIndex": "...", "relayState": "..."}
      -> {"requestId", "http": <message>}
  {"op": "logout-check", "idp": {...}, "spMetadataXml": "...", "binding": "...", "samlResponse": "...",
   "query": "<raw query, redirect>"}
      -> {"inResponseTo", "status", "issuer", "signatureVerified"}

"idp" is {"entityId", "ssoUrl", "keyFile", "certFile"}, with "sloUrl" for the logout ops and
"wantRequestsSigned" to make pysaml2 require signed requests. With a samlRequest, pysaml2 parses our
AuthnRequest itself and answers it ("binding", default "redirect"; with "query", the raw query string,
it checks the Redirect signature the way pysaml2's example IdP does); without, the response is
IdP-initiated. A <message> is {"binding": "redirect", "url"} or {"binding": "post", "html"}, as
pysaml2's apply_binding writes it. Messages pysaml2 sends are signed: in the query on HTTP-Redirect,
enveloped on HTTP-POST.
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
from saml2.sigver import verify_redirect_signature
from saml2.samlp import STATUS_SUCCESS
from urllib.parse import parse_qs
import saml2.entity

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"

PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}


def build_server(idp, sp_metadata_xml=None):
    endpoints = {
        "single_sign_on_service": [
            (idp["ssoUrl"], BINDING_HTTP_REDIRECT),
            (idp["ssoUrl"], BINDING_HTTP_POST),
        ]
    }
    if idp.get("sloUrl"):
        endpoints["single_logout_service"] = [
            (idp["sloUrl"], BINDING_HTTP_REDIRECT),
            (idp["sloUrl"], BINDING_HTTP_POST),
        ]
    config = {
        "entityid": idp["entityId"],
        "service": {
            "idp": {
                "endpoints": endpoints,
                "want_authn_requests_signed": bool(idp.get("wantRequestsSigned", False)),
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


def redirect_signature_ok(server, issuer, query):
    """Checks an HTTP-Redirect query signature with the sender's metadata certificates, as pysaml2's
    example IdP does (pysaml2 parses Redirect messages without looking at the query signature)."""
    saml_msg = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "Signature" not in saml_msg:
        return False
    certs = server.metadata.certs(issuer, "any", "signing")
    return any(verify_redirect_signature(saml_msg, server.sec.sec_backend, cert) for cert in certs)


def http_message(info, binding):
    """What apply_binding wrote, as the browser sees it: a redirect URL or a page with a form."""
    if binding == "redirect":
        return {"binding": "redirect", "url": dict(info["headers"])["Location"]}
    return {"binding": "post", "html": info["data"]}


def logout_respond(server, command):
    """pysaml2 parses our LogoutRequest (checking its signature) and answers it, signed."""
    binding = command["binding"]
    request = server.parse_logout_request(command["samlRequest"], BINDINGS[binding])
    message = request.message
    if binding == "redirect":
        verified = redirect_signature_ok(server, message.issuer.text, command["query"])
    else:
        # With want_authn_requests_signed, parse_logout_request has verified the enveloped signature.
        verified = message.signature is not None
    if not verified:
        raise SystemExit("pysaml2: the LogoutRequest's Redirect signature does not verify")
    response = server.create_logout_response(
        message, [BINDINGS[binding]], sign=binding == "post", sign_alg=RSA_SHA256, digest_alg=SHA256
    )
    destination = server.metadata.single_logout_service(message.issuer.text, BINDINGS[binding], "spsso")[0]["location"]
    info = server.apply_binding(
        BINDINGS[binding], str(response), destination, command.get("relayState") or "", response=True,
        sign=binding == "redirect", sigalg=RSA_SHA256,
    )
    return {
        "nameId": message.name_id.text,
        "sessionIndexes": [si.text for si in message.session_index],
        "signatureVerified": verified,
        "http": http_message(info, binding),
    }


def logout_request(server, command):
    """pysaml2 starts logout at the SP: a signed LogoutRequest for the user's session there."""
    binding = command["binding"]
    request_id, request = server.create_logout_request(
        destination=command["sloUrl"],
        issuer_entity_id=command["spEntityId"],
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=command["nameId"]),
        session_indexes=[command["sessionIndex"]],
        sign=binding == "post",
        sign_alg=RSA_SHA256,
        digest_alg=SHA256,
    )
    info = server.apply_binding(
        BINDINGS[binding], str(request), command["sloUrl"], command.get("relayState") or "",
        sign=binding == "redirect", sigalg=RSA_SHA256,
    )
    return {"requestId": request_id, "http": http_message(info, binding)}


def logout_check(server, command):
    """pysaml2 parses the SP's LogoutResponse (checking its signature on HTTP-POST, and the query's on Redirect)."""
    binding = command["binding"]
    response = server.parse_logout_request_response(command["samlResponse"], BINDINGS[binding])
    issuer = response.response.issuer.text
    if binding == "redirect":
        verified = redirect_signature_ok(server, issuer, command["query"])
    else:
        # parse_logout_request_response verifies an enveloped signature when there is one.
        verified = response.response.signature is not None
    return {
        "inResponseTo": response.in_response_to,
        "status": response.response.status.status_code.value,
        "success": response.response.status.status_code.value == STATUS_SUCCESS,
        "issuer": issuer,
        "signatureVerified": verified,
    }


def main():
    command = json.load(sys.stdin)
    idp = command["idp"]
    if command["op"] == "metadata":
        server, _ = build_server(idp)
        print(json.dumps({"metadataXml": str(entity_descriptor(server.config))}))
        return
    if command.get("binding", "redirect") == "redirect":
        # pysaml2 7.0.1 applies want_authn_requests_signed to the XML of a Redirect-binding message too,
        # which the binding forbids to carry a signature (it is in the query): it then refuses every
        # request. Its example IdP checks the query signature itself, as redirect_signature_ok does.
        idp = dict(idp, wantRequestsSigned=False)
    server, tmp = build_server(idp, command["spMetadataXml"])
    try:
        if command["op"] in ("logout-respond", "logout-request", "logout-check"):
            handler = {"logout-respond": logout_respond, "logout-request": logout_request, "logout-check": logout_check}
            print(json.dumps(handler[command["op"]](server, command)))
            return
        in_response_to = None
        acs_url = command["acsUrl"]
        request_acs = None
        signature_verified = None
        if command.get("samlRequest"):
            binding = command.get("binding", "redirect")
            parsed = server.parse_authn_request(command["samlRequest"], BINDINGS[binding])
            in_response_to = parsed.message.id
            request_acs = parsed.message.assertion_consumer_service_url
            if binding == "redirect" and command.get("query") is not None:
                signature_verified = redirect_signature_ok(server, parsed.message.issuer.text, command["query"])
                if not signature_verified:
                    raise SystemExit("pysaml2: the AuthnRequest's Redirect signature does not verify")
            elif binding == "post":
                # With want_authn_requests_signed, parse_authn_request has verified the enveloped signature.
                signature_verified = bool(server.config.getattr("want_authn_requests_signed", "idp"))
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
                    "signatureVerified": signature_verified,
                }
            )
        )
    finally:
        if tmp is not None:
            os.unlink(tmp.name)


if __name__ == "__main__":
    main()
