#!/usr/bin/python3
"""pysaml2 (Debian's python3-pysaml2) as a checker of what our SP sends.

Reads one JSON command on stdin and writes one JSON answer on stdout:

  {"op": "schema", "docs": [{"name": "...", "xml": "..."}, ...]}
      -> {"results": [{"name": "...", "error": null | "<the schema error's reason>"}, ...]}
  {"op": "redirect", "query": "<raw query string>", "cert": "<PEM certificate>"}
      -> {"verified": true | false}
  {"op": "spmeta", "xml": "<EntityDescriptor>"}
      -> {"entity": {...what pysaml2's metadata classes read of it...}}
  {"op": "authn", "xml": "<AuthnRequest>"}
      -> {"request": {...what pysaml2's own classes read of it...}}

"schema" validates each document against the OASIS SAML 2.0 XSDs pysaml2 ships (with xmlschema),
chosen by the root element as pysaml2 itself does. "authn" parses an AuthnRequest with pysaml2's own classes (saml2.samlp.authn_request_from_string, what
its IdP server does) and reports what they read. "redirect" checks an HTTP-Redirect query
signature the way pysaml2 does: it re-encodes the decoded parameters rather than using the raw query.
"""
import json
import sys
from urllib.parse import parse_qs
from xml.etree import ElementTree

from saml2.sigver import RSACrypto, verify_redirect_signature
from saml2.xml.schema import node_to_schema


def schema(docs):
    results = []
    for doc in docs:
        root = ElementTree.fromstring(doc["xml"])
        qname = root.tag[1:].replace("}", ":")
        try:
            node_to_schema[qname].validate(doc["xml"])
            error = None
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            lines = str(e).splitlines() or [repr(e)]
            error = next((line.strip() for line in lines if line.strip().startswith("Reason:")), lines[0])
        results.append({"name": doc["name"], "error": error})
    return {"results": results}


def redirect(query, cert_pem):
    saml_msg = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    body = "".join(line for line in cert_pem.splitlines() if "-----" not in line)
    try:
        return {"verified": bool(verify_redirect_signature(saml_msg, RSACrypto(None), cert=body))}
    except Exception:  # noqa: BLE001 - a refusal is an answer
        return {"verified": False}


def authn(xml):
    from saml2.samlp import authn_request_from_string

    req = authn_request_from_string(xml)
    policy = req.name_id_policy
    context = req.requested_authn_context
    scoping = req.scoping
    return {
        "request": {
            "id": req.id,
            "force_authn": req.force_authn,
            "is_passive": req.is_passive,
            "protocol_binding": req.protocol_binding,
            "assertion_consumer_service_url": req.assertion_consumer_service_url,
            "assertion_consumer_service_index": req.assertion_consumer_service_index,
            "attribute_consuming_service_index": req.attribute_consuming_service_index,
            "subject_name_id": req.subject.name_id.text if req.subject and req.subject.name_id else None,
            "name_id_policy": policy
            and {
                "format": policy.format,
                "allow_create": policy.allow_create,
                "sp_name_qualifier": policy.sp_name_qualifier,
            },
            "requested_authn_context": context
            and {
                "comparison": context.comparison,
                "class_refs": [ref.text for ref in context.authn_context_class_ref],
            },
            "scoping": scoping
            and {
                "proxy_count": scoping.proxy_count,
                "idp_list": [
                    {"provider_id": e.provider_id, "name": e.name, "loc": e.loc}
                    for e in (scoping.idp_list.idp_entry if scoping.idp_list else [])
                ],
                "requester_ids": [r.text for r in scoping.requester_id],
            },
        }
    }


def spmeta(xml):
    from saml2.md import entity_descriptor_from_string

    ed = entity_descriptor_from_string(xml)
    sp = ed.spsso_descriptor[0]
    org = ed.organization
    return {
        "entity": {
            "entity_id": ed.entity_id,
            "valid_until": ed.valid_until,
            "cache_duration": ed.cache_duration,
            "organization": org
            and {
                "name": [n.text for n in org.organization_name],
                "display_name": [n.text for n in org.organization_display_name],
                "url": [u.text for u in org.organization_url],
            },
            "contacts": [
                {
                    "type": c.contact_type,
                    "given_name": c.given_name.text if c.given_name else None,
                    "emails": [e.text for e in c.email_address],
                    "phones": [t.text for t in c.telephone_number],
                }
                for c in ed.contact_person
            ],
            "requested_attributes": [
                {
                    "index": acs.index,
                    "service_name": [n.text for n in acs.service_name],
                    "attributes": [
                        {"name": r.name, "friendly_name": r.friendly_name, "is_required": r.is_required}
                        for r in acs.requested_attribute
                    ],
                }
                for acs in sp.attribute_consuming_service
            ],
            "signed": ed.signature is not None,
        }
    }


command = json.load(sys.stdin)
if command["op"] == "schema":
    answer = schema(command["docs"])
elif command["op"] == "spmeta":
    answer = spmeta(command["xml"])
elif command["op"] == "authn":
    answer = authn(command["xml"])
elif command["op"] == "redirect":
    answer = redirect(command["query"], command["cert"])
else:
    raise SystemExit("unknown op " + command["op"])
json.dump(answer, sys.stdout)
