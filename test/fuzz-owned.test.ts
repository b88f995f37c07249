import { fuzzRoutes } from "./fuzz";

fuzzRoutes("projects, repositories, secrets, JSON stores", [
  ["POST", "/project"],
  ["POST", "/project/proj/repository"],
  ["POST", "/secret"],
  ["POST", "/secret/x/data"],
  ["POST", "/jsonstore"],
  ["PUT", "/jsonstore/inv/item/a/b"],
]);
