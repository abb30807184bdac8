/** What a request addresses, after k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory. */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  subresource: string;
  name: string;
}

const verbs: Record<string, string> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    group: "",
    version: "",
    resource: "",
    subresource: "",
    name: "",
  };
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    info.version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    info.group = parts[1]!;
    info.version = parts[2]!;
    rest = parts.slice(3);
  } else return info;
  if (rest.length === 0) return info;
  info.isResourceRequest = true;
  info.verb = verbs[method] ?? method.toLowerCase();
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces" && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === "namespaces" && rest.length === 2) {
    info.namespace = rest[1];
  }
  info.resource = rest[0] ?? "";
  info.name = rest[1] ?? "";
  info.subresource = rest[2] ?? "";
  if (rest.length > 3) info.subresource = rest.slice(2).join("/");
  const watchParam = url.searchParams.get("watch");
  const watching = watchPath || watchParam === "1" || watchParam === "true";
  if (!info.name && info.verb === "get") info.verb = watching ? "watch" : "list";
  else if (watching && info.verb === "get") info.verb = "watch";
  if (!info.name && info.verb === "delete") info.verb = "deletecollection";
  return info;
}
