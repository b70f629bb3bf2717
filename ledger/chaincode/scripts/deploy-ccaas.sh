#!/usr/bin/env bash
# Deploys the careledger chaincode to a Fabric 2.5 network as chaincode-as-a-service (ccaas):
# package, install on one peer of every organisation, approve for every organisation, commit,
# then initialise governance and register the organisations. Every value comes from a named
# variable (an env file given with --env, or the environment); nothing is elided.
#
#   ledger/chaincode/scripts/deploy-ccaas.sh --env deploy.env --dry-run   # print every command
#   ledger/chaincode/scripts/deploy-ccaas.sh --env deploy.env             # run them
#   ledger/chaincode/scripts/deploy-ccaas.sh --env deploy.env --step install
#
# Steps (--step, default all): package, install, approve, commit, initialise, all.
# --dry-run prints each command (shell-quoted, ready to paste) instead of running it; the
# package itself is still built in WORK_DIR, so the package id it prints is the real one.
#
# Variables (see usage below): CHANNEL, CC_NAME, CC_VERSION, CC_SEQUENCE, CC_LABEL, CC_POLICY,
# COLLECTIONS_CONFIG, CC_SERVER_ADDRESS, CC_TLS_REQUIRED, ORDERER_ADDRESS, ORDERER_TLS_HOSTNAME,
# ORDERER_CA, ORGS, GOVERNANCE_ORG, GOVERNANCE_USER_MSP, GOVERNANCE_DID, GOVERNANCE_NAME,
# PEERS_HAVE_CCAAS_BUILDER, WORK_DIR, and per organisation <ORG>_PEER_ADDRESS,
# <ORG>_PEER_TLS_CA, <ORG>_ADMIN_MSP, <ORG>_KIND, <ORG>_DID, <ORG>_NAME, where <ORG> is the MSP
# ID in capitals with other characters than letters and digits as _ (HospitalAMSP: HOSPITALAMSP).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGE_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

usage() {
  cat <<USAGE
Usage: $0 [--env FILE] [--dry-run] [--step package|install|approve|commit|initialise|all]

Required:
  CHANNEL               channel name, e.g. careledger
  CC_SERVER_ADDRESS     host:port where the peers reach the chaincode server, e.g. careledger.example.org:9999
  ORDERER_ADDRESS       an orderer's host:port, e.g. orderer.example.org:7050
  ORDERER_CA            file: the orderer's TLS CA certificate (PEM)
  ORGS                  the channel's organisations (MSP IDs), space separated
  GOVERNANCE_ORG        the MSP ID whose user initialises governance, one of ORGS
  GOVERNANCE_USER_MSP   folder: MSP of a client of GOVERNANCE_ORG whose certificate has role=governance-admin
  GOVERNANCE_DID, GOVERNANCE_NAME   the governance body's DID and name
  PEERS_HAVE_CCAAS_BUILDER=yes      confirms that chaincode.externalBuilders on EVERY peer lists
                        the ccaas builder (see below); the script cannot see the peers' core.yaml
  For each organisation <ORG> of ORGS:
    <ORG>_PEER_ADDRESS  host:port of one of its peers
    <ORG>_PEER_TLS_CA   file: that peer's TLS CA certificate (PEM)
    <ORG>_ADMIN_MSP     folder: the MSP of an admin of the organisation (installs, approves)
    <ORG>_KIND          hospital | insurer | medical-board (not for GOVERNANCE_ORG)
    <ORG>_DID, <ORG>_NAME   its DID and display name (not for GOVERNANCE_ORG)
Optional (default):
  CC_NAME (careledger)  CC_VERSION (1.0)  CC_SEQUENCE (1)  CC_LABEL (\${CC_NAME}_\${CC_VERSION})
  CC_POLICY (OutOf(2, '<each org>.peer', ...))  COLLECTIONS_CONFIG ($PACKAGE_DIR/collections_config.json)
  CC_TLS_REQUIRED (false)  ORDERER_TLS_HOSTNAME (none)  WORK_DIR (a new temporary folder)

Every peer's core.yaml needs the ccaas external builder (the Fabric 2.5 peer image ships it):
  chaincode:
    externalBuilders:
      - name: ccaas_builder
        path: /opt/hyperledger/ccaas_builder
        propagateEnvironment:
          - CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG
USAGE
}

DRY_RUN=0
STEP=all
ENV_FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --env) ENV_FILE="${2:?--env needs a file}"; shift ;;
    --step) STEP="${2:?--step needs a step}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option $1." >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$STEP" in package|install|approve|commit|initialise|all) ;; *) echo "Unknown step $STEP." >&2; exit 2 ;; esac
if [ -n "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  source "$ENV_FILE"
fi

fail() { echo "deploy-ccaas: $*" >&2; exit 1; }
need() { [ -n "${!1:-}" ] || fail "$1 is not set: $2. See --help."; }
need_file() { need "$1" "$2"; [ "$DRY_RUN" = 1 ] || [ -e "${!1}" ] || fail "$1=${!1} does not exist: $2."; }
org_var() { local prefix; prefix="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9\n' '_')"; printf '%s_%s' "$prefix" "$2"; }
org_value() { local name; name="$(org_var "$1" "$2")"; printf '%s' "${!name:-}"; }

if [ "$DRY_RUN" = 0 ]; then
  [ "${PEERS_HAVE_CCAAS_BUILDER:-}" = yes ] || fail "set PEERS_HAVE_CCAAS_BUILDER=yes once chaincode.externalBuilders on every peer lists the ccaas builder (see --help); without it 'install' fails on that peer."
  command -v peer >/dev/null || fail "the Fabric 'peer' command is not on PATH (and FABRIC_CFG_PATH must point at its core.yaml)."
fi

CC_NAME="${CC_NAME:-careledger}"
CC_VERSION="${CC_VERSION:-1.0}"
CC_SEQUENCE="${CC_SEQUENCE:-1}"
CC_LABEL="${CC_LABEL:-${CC_NAME}_${CC_VERSION}}"
CC_TLS_REQUIRED="${CC_TLS_REQUIRED:-false}"
COLLECTIONS_CONFIG="${COLLECTIONS_CONFIG:-$PACKAGE_DIR/collections_config.json}"
ORDERER_TLS_HOSTNAME="${ORDERER_TLS_HOSTNAME:-}"

need CHANNEL "the channel the chaincode is deployed on"
need CC_SERVER_ADDRESS "host:port where the peers reach the chaincode server"
need ORDERER_ADDRESS "an orderer's host:port"
need_file ORDERER_CA "the orderer's TLS CA certificate"
need ORGS "the channel's organisations (MSP IDs)"
need GOVERNANCE_ORG "the organisation whose governance-admin initialises the chaincode"
need_file COLLECTIONS_CONFIG "the private data collections (one claims collection per hospital-insurer pair)"
read -r -a ORG_LIST <<< "$ORGS"
[ "${#ORG_LIST[@]}" -ge 2 ] || fail "ORGS names ${#ORG_LIST[@]} organisation(s); the OutOf(2, …) policy needs at least two."
case " $ORGS " in *" $GOVERNANCE_ORG "*) ;; *) fail "GOVERNANCE_ORG=$GOVERNANCE_ORG is not one of ORGS ($ORGS).";; esac
for org in "${ORG_LIST[@]}"; do
  need "$(org_var "$org" PEER_ADDRESS)" "host:port of one peer of $org"
  need_file "$(org_var "$org" PEER_TLS_CA)" "the TLS CA certificate of that peer of $org"
  need_file "$(org_var "$org" ADMIN_MSP)" "the MSP folder of an admin of $org"
done
# Values that go inside the JSON arguments of the invokes must not need escaping.
for name in GOVERNANCE_DID GOVERNANCE_NAME CC_SERVER_ADDRESS CC_LABEL; do
  case "${!name:-}" in *'"'*|*'\'*) fail "$name must not contain a double quote or a backslash." ;; esac
done
if [ -z "${CC_POLICY:-}" ]; then
  CC_POLICY="OutOf(2"
  for org in "${ORG_LIST[@]}"; do CC_POLICY="$CC_POLICY, '$org.peer'"; done
  CC_POLICY="$CC_POLICY)"
fi

WORK_DIR="${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/careledger-ccaas.XXXXXX")}"
mkdir -p "$WORK_DIR"

# Prints a command, shell-quoted, then runs it unless --dry-run.
run() {
  local quoted=()
  local word
  for word in "$@"; do quoted+=("$(printf '%q' "$word")"); done
  printf '+ %s\n' "${quoted[*]}"
  if [ "$DRY_RUN" = 0 ]; then "$@"; fi
}

# The environment of the peer CLI acting as an admin (or user) of an organisation on its peer.
as_org() {
  local org="$1" msp="$2"
  shift 2
  run env CORE_PEER_LOCALMSPID="$org" CORE_PEER_MSPCONFIGPATH="$msp" \
    CORE_PEER_ADDRESS="$(org_value "$org" PEER_ADDRESS)" CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(org_value "$org" PEER_TLS_CA)" "$@"
}

ORDERER_ARGS=(-o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA")
[ -n "$ORDERER_TLS_HOSTNAME" ] && ORDERER_ARGS+=(--ordererTLSHostnameOverride "$ORDERER_TLS_HOSTNAME")
DEFINITION_ARGS=(--channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" --sequence "$CC_SEQUENCE"
  --signature-policy "$CC_POLICY" --collections-config "$COLLECTIONS_CONFIG")

tar_gz() {
  local out="$1"
  shift
  tar -C "$WORK_DIR" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$@" | gzip -n > "$out"
}

PACKAGE="$WORK_DIR/$CC_LABEL.tar.gz"
step_package() {
  echo "# package: a ccaas package whose connection.json points the peers at $CC_SERVER_ADDRESS"
  printf '{"address":"%s","dial_timeout":"10s","tls_required":%s}\n' "$CC_SERVER_ADDRESS" "$CC_TLS_REQUIRED" > "$WORK_DIR/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$CC_LABEL" > "$WORK_DIR/metadata.json"
  # Reproducible archives (GNU tar): a later --step run rebuilds the same bytes, so the same package id.
  tar_gz "$WORK_DIR/code.tar.gz" connection.json
  tar_gz "$PACKAGE" metadata.json code.tar.gz
  # Fabric's package id: the label, a colon, and the sha256 of the package file.
  PACKAGE_ID="$CC_LABEL:$(sha256sum "$PACKAGE" | cut -d' ' -f1)"
  echo "# package: $PACKAGE"
  echo "# package id: $PACKAGE_ID"
}

step_install() {
  echo "# install on one peer of every organisation (each needs the ccaas external builder)"
  for org in "${ORG_LIST[@]}"; do
    as_org "$org" "$(org_value "$org" ADMIN_MSP)" peer lifecycle chaincode install "$PACKAGE"
  done
  echo "# start the chaincode server where CC_SERVER_ADDRESS points, from this package folder, as node itself"
  echo "# (so that SIGTERM/SIGINT reach it; 'npm run start:server' forwards them too):"
  printf '#   cd %q && npm ci --omit=dev && CORE_CHAINCODE_ID=%q CORE_CHAINCODE_ADDRESS=0.0.0.0:%q exec node_modules/.bin/fabric-chaincode-node server\n' \
    "$PACKAGE_DIR" "$PACKAGE_ID" "${CC_SERVER_ADDRESS##*:}"
}

step_approve() {
  echo "# approve the same definition (policy $CC_POLICY, collections) for every organisation, as its admin"
  for org in "${ORG_LIST[@]}"; do
    as_org "$org" "$(org_value "$org" ADMIN_MSP)" peer lifecycle chaincode approveformyorg "${ORDERER_ARGS[@]}" \
      "${DEFINITION_ARGS[@]}" --package-id "$PACKAGE_ID"
  done
  as_org "${ORG_LIST[0]}" "$(org_value "${ORG_LIST[0]}" ADMIN_MSP)" peer lifecycle chaincode checkcommitreadiness \
    "${DEFINITION_ARGS[@]}" --output json
}

# --peerAddresses/--tlsRootCertFiles of the given organisations' peers.
peer_args() {
  local org
  for org in "$@"; do
    printf '%s\0%s\0%s\0%s\0' --peerAddresses "$(org_value "$org" PEER_ADDRESS)" --tlsRootCertFiles "$(org_value "$org" PEER_TLS_CA)"
  done
}

step_commit() {
  echo "# commit once, endorsed by a peer of every organisation (the channel's LifecycleEndorsement is a majority)"
  local peers=()
  mapfile -d '' -t peers < <(peer_args "${ORG_LIST[@]}")
  as_org "${ORG_LIST[0]}" "$(org_value "${ORG_LIST[0]}" ADMIN_MSP)" peer lifecycle chaincode commit "${ORDERER_ARGS[@]}" \
    "${DEFINITION_ARGS[@]}" "${peers[@]}"
  as_org "${ORG_LIST[0]}" "$(org_value "${ORG_LIST[0]}" ADMIN_MSP)" peer lifecycle chaincode querycommitted \
    --channelID "$CHANNEL" --name "$CC_NAME" --output json
}

step_initialise() {
  need_file GOVERNANCE_USER_MSP "the MSP folder of a $GOVERNANCE_ORG client whose certificate has role=governance-admin"
  need GOVERNANCE_DID "the governance body's DID"
  need GOVERNANCE_NAME "the governance body's name"
  # Under OutOf(2, …) an invoke needs the endorsements of two organisations: with one it is
  # committed as ENDORSEMENT_POLICY_FAILURE and governance stays uninitialised.
  local second="" org
  for org in "${ORG_LIST[@]}"; do [ "$org" != "$GOVERNANCE_ORG" ] && { second="$org"; break; }; done
  local peers=()
  mapfile -d '' -t peers < <(peer_args "$GOVERNANCE_ORG" "$second")
  echo "# initialise governance at once after the commit: the first governance-admin to call it becomes governance"
  as_org "$GOVERNANCE_ORG" "$GOVERNANCE_USER_MSP" peer chaincode invoke "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
    "${peers[@]}" --waitForEvent \
    -c "$(printf '{"Args":["Governance:initialise","{\\"did\\":\\"%s\\",\\"name\\":\\"%s\\"}"]}' "$GOVERNANCE_DID" "$GOVERNANCE_NAME")"
  for org in "${ORG_LIST[@]}"; do
    [ "$org" = "$GOVERNANCE_ORG" ] && continue
    local kind did name
    kind="$(org_value "$org" KIND)"; did="$(org_value "$org" DID)"; name="$(org_value "$org" NAME)"
    case "$kind$did$name" in *'"'*|*'\'*) fail "$(org_var "$org" DID) and $(org_var "$org" NAME) must not contain a double quote or a backslash." ;; esac
    [ -n "$kind" ] && [ -n "$did" ] && [ -n "$name" ] || fail "$(org_var "$org" KIND), $(org_var "$org" DID) and $(org_var "$org" NAME) must be set to register $org."
    as_org "$GOVERNANCE_ORG" "$GOVERNANCE_USER_MSP" peer chaincode invoke "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
      "${peers[@]}" --waitForEvent \
      -c "$(printf '{"Args":["Governance:registerOrganisation","{\\"mspId\\":\\"%s\\",\\"kind\\":\\"%s\\",\\"did\\":\\"%s\\",\\"name\\":\\"%s\\"}"]}' "$org" "$kind" "$did" "$name")"
  done
}

step_package
case "$STEP" in
  package) ;;
  install) step_install ;;
  approve) step_approve ;;
  commit) step_commit ;;
  initialise) step_initialise ;;
  all) step_install; step_approve; step_commit; step_initialise ;;
esac
