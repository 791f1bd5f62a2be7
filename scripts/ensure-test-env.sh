#!/usr/bin/env bash
# Makes sure what the specs need outside npm is there, so `npm test` works on a fresh machine:
# PostgreSQL and Redis running (started when stopped, never installed or reconfigured), and Debian's
# Chromium for the browser test, pysaml2 + xmlsec1 for the peer IdP specs, Apache Santuario for the
# XML Encryption specs and SimpleSAMLphp + PHP for the interop matrix (installed with apt when missing;
# a browser is never downloaded).
# Specs read PG_URL / REDIS_URL; when those point elsewhere this script leaves services alone.
set -euo pipefail

log() { echo "[ensure-test-env] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

# Waits for a service by readiness: it runs the probe (pg_isready, redis-cli ping) until it answers, with
# `sleep 0.2` only as the pause between probes, never as a guess at how long a start takes. The bound
# (60 s) is generous so that a slow start on a busy machine is not reported as a failure.
wait_for() { # wait_for <description> <command...>
  local what=$1; shift
  for _ in $(seq 1 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$what did not come up within 60 s"; return 1
}

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q; }
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

if [ -z "${PG_URL:-}" ]; then
  if ! pg_ready; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_for PostgreSQL pg_ready
  fi
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! redis_ready; then
    log "starting Redis"
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    wait_for Redis redis_ready
  fi
fi

# pysaml2 is a second real IdP implementation the peer specs drive (Debian's python3, not pyenv's).
if ! /usr/bin/python3 -c 'import saml2' >/dev/null 2>&1 || ! command -v xmlsec1 >/dev/null; then
  log "installing Debian's python3-pysaml2 and xmlsec1 with apt (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pysaml2 xmlsec1 >/dev/null
fi

# Apache Santuario (Java), the XML Security library of OpenSAML and the Shibboleth IdP, writes the
# XML Encryption variants the Node encryptors cannot (spec/support/santuario.ts).
if ! command -v java >/dev/null || [ ! -f /usr/share/java/xmlsec.jar ]; then
  log "installing Debian's libxml-security-java (Apache Santuario) with apt (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless libxml-security-java libslf4j-java >/dev/null
fi

# SimpleSAMLphp 1.19 (Debian's package, PHP with its XML extensions) is the IdP of the interop matrix
# that the specs serve with `php -S` on loopback. The package depends on a web server (apt picks
# apache2), which the specs never use.
if [ ! -f /usr/share/simplesamlphp/www/saml2/idp/SSOService.php ] || ! command -v php >/dev/null ||
  ! php -r 'exit(extension_loaded("dom") ? 0 : 1);' >/dev/null 2>&1; then
  log "installing Debian's simplesamlphp, php-cli and php-xml with apt (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    simplesamlphp php-cli php-xml >/dev/null
fi

# libxml2's xmllint (--c14n, --exc-c14n) is an independent canonicalizer the c14n specs compare ours with.
if ! command -v xmllint >/dev/null; then
  log "installing Debian's libxml2-utils (xmllint) with apt (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
fi

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  log "installing Debian's chromium with apt (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
