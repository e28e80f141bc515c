package audit

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"pensionaudit/audit/signing"
)

// Role is what an account may do.
type Role string

// Roles.
const (
	RoleClerk      Role = "clerk"      // 经办人: imports, checks, decides, signs
	RoleSupervisor Role = "supervisor" // 审核人: all a clerk may, and countersigns, reopens, manages
	RoleAuditor    Role = "auditor"    // 查阅人: reads only
)

// Roles lists the roles in the order screens offer them.
var Roles = []Role{RoleClerk, RoleSupervisor, RoleAuditor}

// Label is the role in Chinese.
func (r Role) Label() string {
	switch r {
	case RoleClerk:
		return "经办人"
	case RoleSupervisor:
		return "审核人"
	case RoleAuditor:
		return "查阅人"
	}
	return string(r)
}

// ParseRole accepts a role's code or its Chinese name.
func ParseRole(s string) (Role, error) {
	s = strings.TrimSpace(s)
	for _, r := range Roles {
		if s == string(r) || s == r.Label() {
			return r, nil
		}
	}
	return "", &Error{Kind: ErrInvalid, Field: "role", Msg: "角色“" + Escape(s, 20) + "”不对：应为经办人、审核人或查阅人"}
}

// User is a local account.
type User struct {
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// Session is a person logged in to a workspace: what logging in returns and
// what every use case that changes something takes. The use case reads the
// account again inside its own transaction, so a session whose account was
// demoted or disabled since, or one made up by a caller, gets no further
// than the account's current role allows.
type Session struct {
	User
	// Key is the account's signing key, unsealed by the password at login
	// and held for the session (nil for an account made before keys, until
	// its next login). Acts that carry responsibility are signed with it.
	Key *signing.Key
}

// Act is something a person does that changes the workspace.
type Act int

// The acts policy rules on.
const (
	ActImport        Act = iota + 1 // import a file (and remember its mapping)
	ActCheck                        // run the rules over a month
	ActDecide                       // decide on a finding, or take a decision back
	ActSign                         // sign a month as the clerk
	ActCountersign                  // countersign a month
	ActReopen                       // revoke a month's signatures
	ActNoteMissing                  // say why a village did not report
	ActRecover                      // record money recovered
	ActManageUsers                  // add accounts, change roles, passwords, disable
	ActRuleSettings                 // change the rules' thresholds
	ActRenameVillage                // rename or merge villages
	ActRestore                      // put a backup in place of the workspace
	ActIncident                     // record why the workspace was changed outside the program
	ActOwnPassword                  // change one's own password (every role)
)

// Label is the act in Chinese, as in "不能导入文件".
func (a Act) Label() string {
	switch a {
	case ActImport:
		return "导入文件"
	case ActCheck:
		return "运行核查"
	case ActDecide:
		return "处理核查结果"
	case ActSign:
		return "签字"
	case ActCountersign:
		return "复核签字"
	case ActReopen:
		return "退回已签字的月份"
	case ActNoteMissing:
		return "记录村未上报的原因"
	case ActRecover:
		return "登记追回"
	case ActManageUsers:
		return "管理账户"
	case ActRuleSettings:
		return "修改核查规则的参数"
	case ActRenameVillage:
		return "修改或合并村(社区)名称"
	case ActRestore:
		return "恢复备份"
	case ActIncident:
		return "记录事件说明"
	case ActOwnPassword:
		return "修改本人密码"
	}
	return "修改工作区"
}

// Signed tells the acts that carry responsibility: their trail entries are
// signed with the actor's key (audit/signing), and verify requires it.
func (a Act) Signed() bool {
	switch a {
	case ActSign, ActCountersign, ActReopen, ActNoteMissing, ActRecover, ActManageUsers, ActRuleSettings, ActRenameVillage, ActIncident, ActRestore, ActOwnPassword:
		return true
	}
	return false
}

// supervisorOnly are the acts only a supervisor may take.
func (a Act) supervisorOnly() bool {
	switch a {
	case ActCountersign, ActReopen, ActNoteMissing, ActManageUsers, ActRuleSettings, ActRenameVillage, ActRestore, ActIncident:
		return true
	}
	return false
}

// May says whether the account may take the act: a disabled account nothing,
// an auditor (查阅人) nothing that changes the workspace, a clerk all but the
// supervisor's acts.
func (u User) May(a Act) error {
	switch {
	case u.Name == "":
		return Errorf(ErrPermission, "请先登录，才能%s", a.Label())
	case u.Disabled:
		return Errorf(ErrPermission, "账户 %s 已停用，不能%s", Escape(u.Name, 40), a.Label())
	case u.Role == RoleSupervisor, a == ActOwnPassword:
		return nil
	case u.Role == RoleClerk && !a.supervisorOnly():
		return nil
	case u.Role == RoleClerk:
		return Errorf(ErrPermission, "%s须由审核人进行，%s 是经办人，不是有效的审核人", a.Label(), Escape(u.Name, 40))
	case u.Role == RoleAuditor:
		return Errorf(ErrPermission, "%s 是查阅人，只能查看，不能%s", Escape(u.Name, 40), a.Label())
	}
	return Errorf(ErrPermission, "账户 %s 的角色“%s”不明，不能%s", Escape(u.Name, 40), Escape(string(u.Role), 20), a.Label())
}

// The commonest passwords (and their Chinese favourites) are refused.
var commonPasswords = map[string]bool{
	"12345678": true, "123456789": true, "1234567890": true, "87654321": true, "88888888": true, "66666666": true,
	"password": true, "password1": true, "passw0rd": true, "qwertyui": true, "qwerty123": true, "1qaz2wsx": true,
	"abcd1234": true, "abc12345": true, "a1234567": true, "aa123456": true, "11111111": true, "00000000": true,
	"5201314520": true, "woaini1314": true, "iloveyou": true, "admin123": true, "admin888": true, "123123123": true,
	"12341234": true, "11223344": true, "asdf1234": true, "zxcvbnm1": true, "q1w2e3r4": true, "1q2w3e4r": true,
	"123qweasd": true, "qweasdzxc": true, "admin1234": true, "root1234": true, "welcome1": true, "changeme": true,
}

// CheckPassword is the password policy: at least 8 characters, not one
// character repeated, not one of the commonest passwords.
func CheckPassword(pw string) error {
	rs := []rune(pw)
	if len(rs) < 8 {
		return &Error{Kind: ErrInvalid, Field: "password", Msg: "密码至少需要 8 个字符"}
	}
	if strings.Count(pw, string(rs[0])) == len(rs) {
		return &Error{Kind: ErrInvalid, Field: "password", Msg: "密码不能是同一个字符重复"}
	}
	if commonPasswords[strings.ToLower(pw)] {
		return &Error{Kind: ErrInvalid, Field: "password", Msg: "这个密码太常见，容易被猜到，请换一个"}
	}
	return nil
}

// CleanUserName trims and NFC-normalises a name and refuses names with
// control, bidi or zero-width characters (王主任\u200b looks like 王主任).
func CleanUserName(name string) (string, error) {
	name = norm.NFC.String(strings.TrimSpace(name))
	if name == "" {
		return "", &Error{Kind: ErrInvalid, Field: "name", Msg: "请填写用户姓名"}
	}
	if strings.ContainsFunc(name, Invisible) {
		return "", &Error{Kind: ErrInvalid, Field: "name", Msg: "用户名“" + Escape(name, 40) + "”含有看不见的字符，会与别的名字看起来一样，请重新输入"}
	}
	if len([]rune(name)) > 40 {
		return "", &Error{Kind: ErrInvalid, Field: "name", Msg: "用户名太长"}
	}
	if FoldName(name) == FoldName(RecoveryName) {
		return "", &Error{Kind: ErrInvalid, Field: "name", Msg: "“" + RecoveryName + "”是程序留给恢复码的名字，不能用作用户名"}
	}
	return name, nil
}

// RecoveryName is the name the trail gives the recovery code's acts (the
// replacement of a lost root password): no account may take it.
const RecoveryName = "恢复码"

// FoldName is the form two names are compared in: compatibility forms,
// case and spaces folded (ＷＡＮＧ = wang, 王 主任 = 王主任), so that a
// look-alike of an existing account is refused.
func FoldName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), "")
}
