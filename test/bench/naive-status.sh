#!/bin/sh
# The baseline for the scan benchmark: what people do by hand to check a cluster's certificates. For each node in
# the inventory, for each certificate file, one `openssl x509 -enddate -noout` command run through the node's
# shell, plus one `systemctl is-active` per node. On a real cluster each of these would be an `ssh node ...`; on the
# lab the node's shell is `sh` from the node's bin/ (PATH=<node bin>:$PATH sh -c "..."), which is where the lab's
# latency fault applies, so every command pays the latency once, as every ssh round trip would.
#
#   naive-status.sh INVENTORY.yaml            every node
#   NAIVE_NODES="server-1 agent-7" naive-status.sh INVENTORY.yaml   only these nodes (a sample)
#
# Prints one line per certificate ("node path notAfter=...") and per service, then a summary line on stderr.
# Reads the inventory that `keyturn lab up` writes (name, roles, distro, dataDir, env.PATH per node); the
# certificate files are found with the upstream globs, as one would by hand.
set -u
inventory=${1:?usage: naive-status.sh INVENTORY.yaml}

# name<TAB>distro<TAB>server|agent<TAB>dataDir<TAB>PATH, one line per node.
nodes=$(awk '
  function flush() { if (name != "") printf "%s\t%s\t%s\t%s\t%s\n", name, distro, (server ? "server" : "agent"), dd, path; }
  /^  - name:/ { flush(); name = $3; distro = "rke2"; server = 0; dd = ""; path = ""; inroles = 0; next }
  /^    roles:/ { inroles = 1; next }
  inroles && /^      - / { if ($2 == "etcd" || $2 == "control-plane") server = 1; next }
  /^    [a-zA-Z]/ { inroles = 0 }
  /^    distro:/ { distro = $2 }
  /^    dataDir:/ { dd = $2 }
  /^      PATH:/ { path = $2 }
  END { flush() }
' "$inventory")

tab=$(printf '\t')
printf '%s\n' "$nodes" | {
  count_nodes=0
  count_certs=0
  count_services=0
  while IFS=$tab read -r name distro kind dd nodepath; do
    [ -n "$name" ] || continue
    if [ -n "${NAIVE_NODES:-}" ]; then
      case " $NAIVE_NODES " in *" $name "*) ;; *) continue ;; esac
    fi
    count_nodes=$((count_nodes + 1))
    bin=${nodepath%%:*}
    for cert in "$dd"/server/tls/*.crt "$dd"/server/tls/etcd/*.crt "$dd"/agent/*.crt; do
      [ -f "$cert" ] || continue
      end=$(PATH="$bin:$PATH" sh -c "openssl x509 -enddate -noout -in '$cert'" 2>&1 </dev/null)
      count_certs=$((count_certs + 1))
      echo "$name ${cert#"$dd"/} $end"
    done
    unit="$distro-$kind"
    state=$(PATH="$bin:$PATH" sh -c "systemctl is-active $unit" 2>&1 </dev/null)
    count_services=$((count_services + 1))
    echo "$name $unit $state"
  done
  echo "naive: $count_nodes nodes, $count_certs openssl commands, $count_services systemctl commands" >&2
}
