#!/usr/bin/env bash
# The OASIS OData CSDL XML schemas (edmx.xsd, edm.xsd), which the suite validates $metadata against.
# They ship in the npm package odata-csdl (OASIS TC's own tooling); fetched from the registry, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.11.2
TARGET=.cache/odata-csdl-$VERSION
if [ -f "$TARGET/package/schemas/edmx.xsd" ]; then exit 0; fi
command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
rm -rf "$TARGET" && mkdir -p "$TARGET"
(cd "$TARGET" && npm pack --silent "odata-csdl@$VERSION" >/dev/null && tar xzf "odata-csdl-$VERSION.tgz")
test -f "$TARGET/package/schemas/edmx.xsd"
echo "CSDL schemas in $TARGET/package/schemas"
