import { fuzzRoutes } from "./fuzz";

fuzzRoutes("projects, repositories, secrets, JSON stores", [
  ["POST", "/project", { json: { name: "fuzz-valid-project" } }],
  ["POST", "/project/proj/repository", { json: { name: "fuzz-valid-repo", url: "https://git.example/fuzz.git" } }],
  ["POST", "/secret", { form: { name: "fuzz-valid-secret", type: "DATA", data: "x" } }],
  ["POST", "/secret/fuzz-secret/data", { form: {} }],
  ["POST", "/jsonstore", { json: { name: "fuzz-valid-store" } }],
  ["PUT", "/jsonstore/inv/item/a/b", { json: { valid: true } }],
]);
