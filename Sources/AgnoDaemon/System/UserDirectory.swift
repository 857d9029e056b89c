#if canImport(Glibc)
import Glibc
#endif

/// Names and group memberships of local users, from the system's user database (NSS).
public enum UserDirectory {
    /// The user name of a uid, or the uid as text when it has none.
    public static func userName(uid: UInt32) -> String {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else {
            return String(uid)
        }
        return String(cString: name)
    }

    /// The gid of a group name.
    public static func groupID(name: String) -> UInt32? {
        var grp = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65536)
        guard getgrnam_r(name, &grp, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return grp.gr_gid
    }

    /// Every group the user is in: the primary gid and the supplementary groups of the user database.
    public static func groups(user: String, primaryGID: UInt32) -> [UInt32] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let n = count
            if getgrouplist(user, primaryGID, &groups, &count) >= 0 {
                return Array(groups.prefix(Int(count)))
            }
            if count <= n { count = n * 2 }
        }
    }
}
