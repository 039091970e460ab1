// Validates rendered Kubernetes objects against the API's JSON schemas (the npm packages kubernetes-models and
// @kubernetes-models/prometheus-operator). Usage: node validate-manifests.mjs SCHEMA_DIR < rendered.yaml
// SCHEMA_DIR is where `npm install --prefix SCHEMA_DIR kubernetes-models @kubernetes-models/prometheus-operator yaml`
// put them. Prints "valid: KIND NAME" for each object; exits 1 naming every object that fails, with the schema's error.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const folder = process.argv[2];
if (!folder) {
  console.error("usage: node validate-manifests.mjs SCHEMA_DIR < rendered.yaml");
  process.exit(2);
}

const modules = join(folder, "node_modules");
const YAML = createRequire(join(modules, "_"))("yaml");
const text = readFileSync(0, "utf8");

function modelFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return join(modules, "@kubernetes-models", "prometheus-operator", group, version, `${kind}.js`);
  }
  return join(modules, "kubernetes-models", group === "" ? version : join(group, version), `${kind}.js`);
}

let failed = 0;
for (const document of YAML.parseAllDocuments(text)) {
  if (document.errors.length > 0) {
    console.error(`not YAML: ${document.errors.map(e => e.message).join("; ")}`);
    failed++;
    continue;
  }
  const object = document.toJS();
  if (object === null || object === undefined) {
    continue;
  }
  const what = `${object.kind ?? "(no kind)"} ${object.metadata?.name ?? "(no name)"}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    console.error(`invalid: ${what}: no apiVersion or kind`);
    failed++;
    continue;
  }
  const file = modelFile(object.apiVersion, object.kind);
  if (!existsSync(file)) {
    console.error(`invalid: ${what}: no schema for ${object.apiVersion} ${object.kind}`);
    failed++;
    continue;
  }
  const Model = (await import(pathToFileURL(file).href))[object.kind];
  try {
    new Model(object).validate();
    console.log(`valid: ${what}`);
  } catch (error) {
    console.error(`invalid: ${what}: ${error.message}`);
    failed++;
  }
}

process.exit(failed === 0 ? 0 : 1);
