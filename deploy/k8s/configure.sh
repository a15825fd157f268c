#!/usr/bin/env bash
# Writes a kustomize overlay that points the cpu or gpu overlay at one Azure deployment (main.bicep's outputs):
# the registry's image, the storage account's table endpoint and the managed identity's client id.
#   deploy/k8s/configure.sh gpu ACR_LOGIN_SERVER TABLE_ENDPOINT CLIENT_ID [OUT_DIR] [IMAGE_TAG]
# OUT_DIR defaults to deploy/k8s/env/FLAVOR (ignored by git); then `kubectl apply -k OUT_DIR`.
# With MODEL=FILE in the environment, the silos mount the model share (components/model-volume) and serve /models/FILE;
# without it they serve the built-in demo model.
set -euo pipefail
usage() { echo "usage: $0 cpu|gpu ACR_LOGIN_SERVER TABLE_ENDPOINT CLIENT_ID [OUT_DIR] [IMAGE_TAG]" >&2; exit 2; }
[ $# -ge 4 ] || usage
flavor=$1 registry=$2 endpoint=$3 client=$4
here="$(cd "$(dirname "$0")" && pwd)"
out=${5:-"$here/env/$flavor"}
case "$flavor" in
  cpu) tag=${6:-cpu} ;;
  gpu) tag=${6:-cuda} ;;
  *) echo "error: flavor must be cpu or gpu (got '$flavor')" >&2; exit 2 ;;
esac
[[ "$registry" =~ ^[a-z0-9.-]+(:[0-9]+)?$ ]] || { echo "error: ACR_LOGIN_SERVER '$registry' is not a registry host (e.g. gridacr123.azurecr.io)" >&2; exit 2; }
[[ "$endpoint" =~ ^https?://[^/[:space:]]+/?$ ]] || { echo "error: TABLE_ENDPOINT '$endpoint' is not a table endpoint URL (e.g. https://ACCOUNT.table.core.windows.net)" >&2; exit 2; }
[[ "$client" =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]] || { echo "error: CLIENT_ID '$client' is not a GUID (main.bicep's identityClientId output)" >&2; exit 2; }
model=${MODEL:-}
[[ -z "$model" || "$model" =~ ^[A-Za-z0-9_][A-Za-z0-9_.+-]*$ ]] || { echo "error: MODEL '$model' must be a file name on the model share (e.g. llama-3-8b-instruct.Q8_0.gguf)" >&2; exit 2; }
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "error: IMAGE_TAG '$tag' is not an image tag" >&2; exit 2; }

mkdir -p "$out"
base=$(realpath --relative-to="$out" "$here/overlays/$flavor")
components=$(realpath --relative-to="$out" "$here/components")
cat > "$out/kustomization.yaml" <<YAML
# Written by deploy/k8s/configure.sh: the $flavor overlay with this deployment's Azure resources.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $base
images:
  - name: grid
    newName: $registry/grid
    newTag: "$tag"
configMapGenerator:
  - name: grid-azure
    behavior: replace
    literals:
      - TableEndpoint=${endpoint%/}
patches:
  - target:
      kind: ServiceAccount
      name: grid-silo
    patch: |-
      - op: replace
        path: /metadata/annotations/azure.workload.identity~1client-id
        value: "$client"
YAML
if [ -n "$model" ]; then
  cat >> "$out/kustomization.yaml" <<YAML
  - target:
      kind: Deployment
      name: grid-silo
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value: {name: Grid__Model, value: /models/$model}
components:
  - $components/model-volume
YAML
fi
echo "wrote $out/kustomization.yaml"
