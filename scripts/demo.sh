#!/usr/bin/env bash
# tp's main job end to end on a fresh machine: Docker, build, images, the test cluster, a sample
# app, then `tp docker-run --swap-deployment web` with a container that prints the pod's
# environment and calls the backend by its three DNS names. The restore is shown at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-docker.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
npm run --silent images
npm run --silent cluster:up
export KUBECONFIG="$PWD/.test-cluster/kubeconfig"

ns=tp-demo
kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
kubectl apply -n "$ns" -f demo/sample-app.yaml
kubectl rollout status -n "$ns" deployment/backend --timeout=60s
kubectl rollout status -n "$ns" deployment/web --timeout=60s
echo
echo "== before: kubectl get deployments,pods -n $ns"
kubectl get deployments,pods -n "$ns"
echo
echo "== tp docker-run -n $ns --swap-deployment web -- tp-test-busybox:local sh -c '...'"
dist/cli/tp.js docker-run -n "$ns" --swap-deployment web -- tp-test-busybox:local sh -c '
  echo "-- the pod environment (selected):"
  env | grep -E "^(LITERAL|GREETING_FROM_CM|API_TOKEN|MY_POD_NAME|CFG_|BACKEND_SERVICE|TELEPRESENCE_)" | sort
  for name in backend backend.$MY_NAMESPACE backend.$MY_NAMESPACE.svc.cluster.local; do
    echo "-- http://$name/ :"
    wget -qO- "http://$name/demo"
  done
  echo "-- the cluster sees this container as pod $(hostname)"
'
echo
echo "== after: kubectl get deployments -n $ns (once the restored pods are up)"
for _ in $(seq 1 60); do
  [ "$(kubectl get deployment web -n "$ns" -o jsonpath='{.status.readyReplicas}')" = 2 ] && break
  sleep 1
done
kubectl get deployments -n "$ns"
