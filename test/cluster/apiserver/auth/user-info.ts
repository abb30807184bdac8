export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** Admin and node tokens: every request is allowed without consulting RBAC. */
  privileged: boolean;
  extra?: Record<string, string[]>;
}

export const anonymous: UserInfo = {
  username: "system:anonymous",
  groups: ["system:unauthenticated"],
  privileged: false,
};
