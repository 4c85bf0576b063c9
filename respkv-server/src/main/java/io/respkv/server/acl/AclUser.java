package io.respkv.server.acl;

/**
 * A user: a name and its current {@link AclRules}. Connections hold the user, so a change by
 * ACL SETUSER applies to them at their next command, as in Redis.
 */
public final class AclUser {

    private final String name;
    private volatile AclRules rules;

    AclUser(String name, AclRules rules) {
        this.name = name;
        this.rules = rules.seal();
    }

    /** The name, one char per byte (ISO-8859-1). */
    public String name() {
        return name;
    }

    /** The rules now in force (never changed once published). */
    public AclRules rules() {
        return rules;
    }

    void rules(AclRules rules) {
        this.rules = rules.seal();
    }
}
