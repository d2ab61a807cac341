// SPDX-License-Identifier: MIT
/*
 * Signed scripts: a script may carry the kernel's appended module signature
 * (the script bytes, a detached PKCS#7 SignedData over them, struct
 * module_signature, MODULE_SIG_STRING), as scripts/sign-file and
 * `kpython sign-script` write it. The signature is checked against the keys
 * the kernel trusts for modules and stripped before the script runs.
 *
 * A Python script in ring 0 changes the running kernel as much as a module
 * does, so lockdown's rule for modules is the rule for scripts: where the
 * kernel refuses unsigned modules (security_locked_down(
 * LOCKDOWN_MODULE_SIGNATURE), i.e. lockdown=integrity or confidentiality,
 * as on Debian under Secure Boot), unsigned scripts are refused too.
 *
 * Policy, module parameter signed_scripts:
 *   auto    (default) a signature is required when the kernel is locked
 *           down, optional otherwise;
 *   always  a signature is required;
 *   never   kpython requires none of its own: unsigned scripts run where
 *           lockdown permits them, and only there.
 * No setting runs an unsigned script on a locked-down kernel, and a script
 * that carries a signature must verify under every setting. A refused
 * script does not run; the reader gets EPERM (no signature) or
 * EKEYREJECTED (a signature that does not verify) and the kernel log one
 * line saying why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/module_signature.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/string.h>
#include <linux/verification.h>
#include "kpy.h"

enum kpy_sig_policy { KPY_SIG_AUTO, KPY_SIG_ALWAYS, KPY_SIG_NEVER };

static const char *const kpy_sig_policy_names[] = {
	[KPY_SIG_AUTO] = "auto",
	[KPY_SIG_ALWAYS] = "always",
	[KPY_SIG_NEVER] = "never",
};

static int kpy_sig_policy = KPY_SIG_AUTO;

atomic64_t kpy_stat_signed = ATOMIC64_INIT(0);
atomic64_t kpy_stat_refused = ATOMIC64_INIT(0);

static int kpy_sig_policy_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(kpy_sig_policy_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(kpy_sig_policy, i);
	return 0;
}

static int kpy_sig_policy_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 kpy_sig_policy_names[READ_ONCE(kpy_sig_policy)]);
}

static const struct kernel_param_ops kpy_sig_policy_ops = {
	.set = kpy_sig_policy_set,
	.get = kpy_sig_policy_get,
};
/*
 * Writable by root: lowering it never lets an unsigned script past
 * lockdown, which is checked for every unsigned script under every setting.
 */
module_param_cb(signed_scripts, &kpy_sig_policy_ops, NULL, 0644);
MODULE_PARM_DESC(signed_scripts,
		 "auto (default: signatures required when the kernel is locked down), always, never (unsigned only where lockdown permits)");

static bool kpy_sig_present(const char *script, size_t len)
{
	const size_t marker = sizeof(MODULE_SIG_STRING) - 1;

	return len >= marker &&
	       !memcmp(script + len - marker, MODULE_SIG_STRING, marker);
}

/*
 * Split "script | PKCS#7 | struct module_signature | marker" as the module
 * loader does (mod_check_sig(), which is not exported): *len becomes the
 * script's length, *sig and *sig_len the PKCS#7 message.
 */
static int kpy_sig_split(const char *script, size_t *len, const void **sig,
			 size_t *sig_len)
{
	struct module_signature ms;
	size_t n = *len - (sizeof(MODULE_SIG_STRING) - 1);
	size_t sl;

	if (n < sizeof(ms))
		return -EBADMSG;
	memcpy(&ms, script + n - sizeof(ms), sizeof(ms));
	n -= sizeof(ms);
	if (ms.id_type != PKEY_ID_PKCS7)
		return -ENOPKG;
	if (ms.algo || ms.hash || ms.signer_len || ms.key_id_len ||
	    ms.__pad[0] || ms.__pad[1] || ms.__pad[2])
		return -EBADMSG;
	sl = be32_to_cpu(ms.sig_len);
	if (!sl || sl > n)
		return -EBADMSG;
	n -= sl;
	*sig = script + n;
	*sig_len = sl;
	*len = n;
	return 0;
}

/*
 * The keyrings mod_verify_sig() uses: the secondary trusted keyring (the
 * built-in keys, keys added to it, and the machine keyring = MOK where the
 * kernel links it, as Debian's 6.1 and 6.12 do), then, on ENOKEY, the
 * platform keyring (UEFI db), which Debian's kernels also trust for modules
 * (its patch "KEYS: Make use of platform keyring for module signature").
 */
static int kpy_sig_verify(const char *script, size_t len, const void *sig,
			  size_t sig_len)
{
	int ret;

	if (!IS_ENABLED(CONFIG_SYSTEM_DATA_VERIFICATION))
		return -EOPNOTSUPP;
	ret = verify_pkcs7_signature(script, len, sig, sig_len,
				     VERIFY_USE_SECONDARY_KEYRING,
				     VERIFYING_MODULE_SIGNATURE, NULL, NULL);
	if (ret == -ENOKEY && IS_ENABLED(CONFIG_INTEGRITY_PLATFORM_KEYRING))
		ret = verify_pkcs7_signature(script, len, sig, sig_len,
					     VERIFY_USE_PLATFORM_KEYRING,
					     VERIFYING_MODULE_SIGNATURE,
					     NULL, NULL);
	return ret;
}

static const char *kpy_sig_reason(int err)
{
	switch (err) {
	case -ENOKEY:
		return "signed by a key the kernel does not trust";
	case -EKEYREJECTED:
		return "the signature does not match the script";
	case -EBADMSG:
		return "malformed or truncated signature";
	case -ENOPKG:
		return "not a PKCS#7 signature, or an algorithm the kernel lacks";
	case -EOPNOTSUPP:
		return "this kernel cannot verify signatures";
	default:
		return "signature verification failed";
	}
}

/*
 * Decide whether the script may run. Returns 0 with *len the length of the
 * script without its signature, or -EPERM / -EKEYREJECTED after logging
 * why.
 */
int kpy_sig_admit(const char *script, size_t *len)
{
	int policy = READ_ONCE(kpy_sig_policy);
	const void *sig;
	size_t sig_len;
	int ret;

	if (!script || !kpy_sig_present(script, *len)) {
		if (policy == KPY_SIG_ALWAYS) {
			pr_notice_ratelimited("refused an unsigned script from %s[%d]: signed_scripts=always\n",
					      current->comm, task_pid_nr(current));
			goto out_refused_unsigned;
		}
		/* Asked only now: the lockdown LSM logs each refusal too. */
		if (security_locked_down(LOCKDOWN_MODULE_SIGNATURE)) {
			pr_notice_ratelimited("refused an unsigned script from %s[%d]: the kernel is locked down (signed_scripts=%s)\n",
					      current->comm, task_pid_nr(current),
					      kpy_sig_policy_names[policy]);
			goto out_refused_unsigned;
		}
		return 0;
	}
	ret = kpy_sig_split(script, len, &sig, &sig_len);
	if (!ret)
		ret = kpy_sig_verify(script, *len, sig, sig_len);
	if (ret) {
		pr_notice_ratelimited("refused a signed script from %s[%d]: %s (%d)\n",
				      current->comm, task_pid_nr(current),
				      kpy_sig_reason(ret), ret);
		atomic64_inc(&kpy_stat_refused);
		return -EKEYREJECTED;
	}
	atomic64_inc(&kpy_stat_signed);
	return 0;

out_refused_unsigned:
	atomic64_inc(&kpy_stat_refused);
	return -EPERM;
}
