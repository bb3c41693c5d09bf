#!/usr/bin/env bash
# Render $NGINX_ENVSUBST_TEMPLATE_DIR/**/*$NGINX_ENVSUBST_TEMPLATE_SUFFIX into
# $NGINX_ENVSUBST_OUTPUT_DIR (same relative path, suffix dropped) with envsubst.
# Only variables defined in the environment are replaced, so nginx's own $host,
# $uri ... stay as they are; NGINX_ENVSUBST_FILTER (a regex) narrows them further.
set -Eeuo pipefail

template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
filter=${NGINX_ENVSUBST_FILTER:-}

log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then printf '%s: %s\n' "$0" "$*"; fi
}

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  log "$output_dir is not writable, templates in $template_dir not rendered"
  exit 0
fi

defined=$(compgen -e | { grep -E -- "${filter:-.}" || true; } | sed 's/.*/${&}/' | tr '\n' ' ')

while IFS= read -r -d '' template; do
  relative=${template#"$template_dir"/}
  output="$output_dir/${relative%"$suffix"}"
  mkdir -p "$(dirname "$output")"
  log "rendering $template to $output"
  envsubst "$defined" <"$template" >"$output"
done < <(find -L "$template_dir" -type f -name "*$suffix" -print0 | sort -z)
