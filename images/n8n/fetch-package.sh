#!/bin/sh
# fetch-package.sh NAME VERSION INTEGRITY DIR: download NAME@VERSION's tarball
# from $npm_config_registry, check it against INTEGRITY (sha512-<base64>, as
# the registry publishes it) and unpack its package/ into DIR.
set -eu
name=$1 version=$2 integrity=$3 dir=$4
registry=${npm_config_registry:-https://registry.npmjs.org}
tarball=$(mktemp)
curl -fsSL --retry 3 -o "$tarball" "${registry%/}/${name}/-/${name##*/}-${version}.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | openssl base64 -A)"
if [ "$actual" != "$integrity" ]; then
    echo "fetch-package: ${name}@${version}: integrity $actual, expected $integrity" >&2
    exit 1
fi
mkdir -p "$dir"
tar -xzf "$tarball" -C "$dir" --strip-components=1 --no-same-owner
rm -f "$tarball"
