// Validates Kubernetes objects (multi-document YAML, files or stdin) against the Kubernetes OpenAPI schemas that
// the npm package kubernetes-models compiles in: offline, no cluster. One line per object, "ok KIND/NAME" or
// "invalid KIND/NAME: ..."; exits 1 if any object is invalid or of a kind the package does not know.
//   node deploy/checks/validate-k8s.mjs rendered.yaml      (after `npm ci --prefix deploy/checks`)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const inputs = process.argv.length > 2 ? process.argv.slice(2).map((f) => readFileSync(f, "utf8")) : [readFileSync(0, "utf8")];
let failed = 0;
let count = 0;
for (const text of inputs) {
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      console.log(`invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      failed++;
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    count++;
    const { apiVersion, kind } = object;
    const label = `${kind}/${object.metadata?.name ?? "?"}`;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      console.log(`invalid ${label}: apiVersion and kind are required`);
      failed++;
      continue;
    }
    // Core objects live under kubernetes-models/v1/, the rest under GROUP/VERSION/.
    const module = `kubernetes-models/${apiVersion}/${kind}`;
    let Model;
    try {
      Model = (await import(module))[kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      console.log(`unknown ${label}: no schema for ${apiVersion} ${kind}`);
      failed++;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${label}`);
    } catch (e) {
      console.log(`invalid ${label}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`${count} objects, ${failed} failed`);
process.exit(failed > 0 || count === 0 ? 1 : 0);
