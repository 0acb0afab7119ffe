#!/usr/bin/env bash
# Scaffolds an Nx project: tools/scripts/new-project.sh <apps|libs> <name> <scope> <type>
set -euo pipefail
kind=$1 name=$2 scope=$3 type=$4
dir="$kind/$name"
mkdir -p "$dir/src"
[ -f "$dir/project.json" ] || cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([ "$kind" = apps ] && echo application || echo library)",
  "tags": ["scope:$scope", "type:$type"],
  "targets": { "lint": {}, "typecheck": {}, "test": {}, "build": {} }
}
JSON
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{
  "name": "@soulspot/$name",
  "version": "0.1.0",
  "private": true,
  "type": "module"
}
JSON
[ -f "$dir/tsconfig.json" ] || cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts", "test/**/*.ts", "vitest.config.ts"]
}
JSON
[ -f "$dir/vitest.config.ts" ] || cat > "$dir/vitest.config.ts" <<TS
import { projectConfig } from '../../vitest.shared.ts';

export default projectConfig(import.meta.dirname);
TS
[ -f "$dir/src/$([ "$kind" = apps ] && echo main || echo index).ts" ] || echo "export {};" > "$dir/src/$([ "$kind" = apps ] && echo main || echo index).ts"
if [ "$kind" = libs ]; then
  node -e '
    const fs=require("fs");const f="tsconfig.base.json";const t=JSON.parse(fs.readFileSync(f));
    t.compilerOptions.paths["@soulspot/'"$name"'"]=["libs/'"$name"'/src/index.ts"];
    t.compilerOptions.paths=Object.fromEntries(Object.entries(t.compilerOptions.paths).sort());
    fs.writeFileSync(f,JSON.stringify(t,null,2)+"\n");'
fi
echo "created $dir"
