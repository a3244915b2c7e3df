//! Assigned numbers: message types, PA-DATA types, name types, error codes, enctypes,
//! checksum types, authorization-data types, address types.
//!
//! Sources: RFC 4120 §7.5, RFC 6113, RFC 6806, RFC 8009, IANA "Kerberos Parameters",
//! MS-KILE, MS-SFU.

macro_rules! consts {
    ($(#[$m:meta])* $fname:ident: $t:ty { $($(#[$cm:meta])* $c:ident = $v:expr;)* }) => {
        $($(#[$cm])* pub const $c: $t = $v;)*

        $(#[$m])*
        pub fn $fname(v: $t) -> Option<&'static str> {
            match v {
                $(x if x == $v => Some(stringify!($c)),)*
                _ => None,
            }
        }
    };
}

/// `msg-type` values (RFC 4120 §7.5.7).
pub mod msg_type {
    consts! {
        /// Name of a message type.
        name: i32 {
            AS_REQ = 10; AS_REP = 11; TGS_REQ = 12; TGS_REP = 13; AP_REQ = 14; AP_REP = 15;
            /// RFC 4120 reserved (user-to-user TGT request)
            KRB_TGT_REQ = 16;
            /// RFC 4120 reserved
            KRB_TGT_REP = 17;
            KRB_SAFE = 20; KRB_PRIV = 21; KRB_CRED = 22; KRB_ERROR = 30;
        }
    }
}

/// PA-DATA types (RFC 4120 §7.5.2, IANA, MS-KILE, MS-SFU).
pub mod padata_type {
    consts! {
        /// Name of a PA-DATA type.
        name: i32 {
            PA_TGS_REQ = 1; PA_ENC_TIMESTAMP = 2; PA_PW_SALT = 3; PA_ENC_UNIX_TIME = 5;
            PA_SANDIA_SECUREID = 6; PA_SESAME = 7; PA_OSF_DCE = 8; PA_CYBERSAFE_SECUREID = 9;
            PA_AFS3_SALT = 10; PA_ETYPE_INFO = 11; PA_SAM_CHALLENGE = 12; PA_SAM_RESPONSE = 13;
            PA_PK_AS_REQ_OLD = 14; PA_PK_AS_REP_OLD = 15; PA_PK_AS_REQ = 16; PA_PK_AS_REP = 17;
            PA_PK_OCSP_RESPONSE = 18; PA_ETYPE_INFO2 = 19;
            /// Also PA-SVR-REFERRAL-INFO.
            PA_USE_SPECIFIED_KVNO = 20;
            PA_SAM_REDIRECT = 21; PA_GET_FROM_TYPED_DATA = 22; PA_SAM_ETYPE_INFO = 23;
            PA_ALT_PRINC = 24; PA_SERVER_REFERRAL = 25; PA_SAM_CHALLENGE_2 = 30;
            PA_SAM_RESPONSE_2 = 31; PA_EXTRA_TGT = 41;
            TD_PKINIT_CMS_CERTIFICATES = 101; TD_KRB_PRINCIPAL = 102; TD_KRB_REALM = 103;
            TD_TRUSTED_CERTIFIERS = 104; TD_CERTIFICATE_INDEX = 105; TD_APP_DEFINED_ERROR = 106;
            TD_REQ_NONCE = 107; TD_REQ_SEQ = 108; TD_DH_PARAMETERS = 109;
            /// KERB-PA-PAC-REQUEST (MS-KILE 2.2.3)
            PA_PAC_REQUEST = 128;
            /// PA-FOR-USER (MS-SFU 2.2.1)
            PA_FOR_USER = 129;
            /// PA-S4U-X509-USER (MS-SFU 2.2.2)
            PA_FOR_X509_USER = 130;
            PA_FOR_CHECK_DUPS = 131; PA_AS_CHECKSUM = 132;
            /// RFC 6113
            PA_FX_COOKIE = 133;
            /// RFC 6113
            PA_AUTHENTICATION_SET = 134;
            /// RFC 6113
            PA_AUTH_SET_SELECTED = 135;
            /// RFC 6113: PA-FX-FAST-REQUEST / PA-FX-FAST-REPLY
            PA_FX_FAST = 136;
            /// RFC 6113
            PA_FX_ERROR = 137;
            /// RFC 6113
            PA_ENCRYPTED_CHALLENGE = 138;
            PA_OTP_CHALLENGE = 141; PA_OTP_REQUEST = 142; PA_OTP_CONFIRM = 143;
            PA_OTP_PIN_CHANGE = 144; PA_EPAK_AS_REQ = 145; PA_EPAK_AS_REP = 146;
            PA_PKINIT_KX = 147; PA_PKU2U_NAME = 148;
            /// RFC 6806: Checksum over the AS-REQ, returned in encrypted-pa-data
            PA_REQ_ENC_PA_REP = 149;
            /// RFC 8070
            PA_AS_FRESHNESS = 150;
            /// RFC 9760 SPAKE
            PA_SPAKE = 151;
            /// KERB-KEY-LIST-REQ (MS-KILE 2.2.11)
            KERB_KEY_LIST_REQ = 161;
            /// KERB-KEY-LIST-REP (MS-KILE 2.2.12)
            KERB_KEY_LIST_REP = 162;
            /// PA-SUPPORTED-ENCTYPES (MS-KILE 2.2.8): 4-byte little-endian, not ASN.1
            PA_SUPPORTED_ENCTYPES = 165;
            PA_EXTENDED_ERROR = 166;
            /// PA-PAC-OPTIONS (MS-KILE 2.2.10)
            PA_PAC_OPTIONS = 167;
            /// Heimdal/Samba PA-GSS (GSS-API pre-authentication)
            PA_GSS = 655;
        }
    }
}

/// Principal name types (RFC 4120 §6.2, RFC 6111, MS-KILE).
pub mod name_type {
    consts! {
        /// Name of a name type.
        name: i32 {
            NT_UNKNOWN = 0; NT_PRINCIPAL = 1; NT_SRV_INST = 2; NT_SRV_HST = 3; NT_SRV_XHST = 4;
            NT_UID = 5; NT_X500_PRINCIPAL = 6; NT_SMTP_NAME = 7; NT_ENTERPRISE = 10;
            NT_WELLKNOWN = 11; NT_SRV_HST_DOMAIN = 12;
            NT_MS_PRINCIPAL = -128; NT_MS_PRINCIPAL_AND_ID = -129; NT_ENT_PRINCIPAL_AND_ID = -130;
        }
    }
}

/// Encryption types (RFC 3961/3962/4757/8009, IANA).
pub mod etype {
    consts! {
        /// Name of an encryption type.
        name: i32 {
            NULL = 0; DES_CBC_CRC = 1; DES_CBC_MD4 = 2; DES_CBC_MD5 = 3; DES3_CBC_MD5 = 5;
            DES3_CBC_SHA1 = 7; DSA_SHA1_CMS_OID = 9; MD5_RSA_CMS_OID = 10; SHA1_RSA_CMS_OID = 11;
            RC2_CBC_ENV_OID = 12; RSA_ENV_OID = 13; RSA_ES_OAEP_ENV_OID = 14; DES_EDE3_CBC_ENV_OID = 15;
            DES3_CBC_SHA1_KD = 16; AES128_CTS_HMAC_SHA1_96 = 17; AES256_CTS_HMAC_SHA1_96 = 18;
            AES128_CTS_HMAC_SHA256_128 = 19; AES256_CTS_HMAC_SHA384_192 = 20;
            RC4_HMAC = 23; RC4_HMAC_EXP = 24; CAMELLIA128_CTS_CMAC = 25; CAMELLIA256_CTS_CMAC = 26;
            /// Windows: RC4-HMAC "old" variants
            RC4_HMAC_OLD_EXP = -135;
            /// Windows: RC4 with MD4 (legacy)
            RC4_MD4 = -128;
        }
    }
}

/// Checksum types (RFC 3961, RFC 8009, RFC 4757, IANA).
pub mod cksumtype {
    consts! {
        /// Name of a checksum type.
        name: i32 {
            CRC32 = 1; RSA_MD4 = 2; RSA_MD4_DES = 3; DES_MAC = 4; DES_MAC_K = 5; RSA_MD4_DES_K = 6;
            RSA_MD5 = 7; RSA_MD5_DES = 8; RSA_MD5_DES3 = 9; SHA1 = 14; HMAC_SHA1_DES3_KD = 12;
            HMAC_SHA1_DES3 = 13; HMAC_SHA1_96_AES128 = 15; HMAC_SHA1_96_AES256 = 16;
            CMAC_CAMELLIA128 = 17; CMAC_CAMELLIA256 = 18; HMAC_SHA256_128_AES128 = 19;
            HMAC_SHA384_192_AES256 = 20;
            /// RFC 4121 GSS-API authenticator checksum (0x8003)
            GSSAPI = 0x8003;
            /// RFC 4757 HMAC-MD5 (RC4)
            HMAC_MD5 = -138;
        }
    }
}

/// Authorization-data types (RFC 4120 §7.5.4, RFC 7751, MS-KILE, MS-PAC).
pub mod ad_type {
    consts! {
        /// Name of an ad-type.
        name: i32 {
            AD_IF_RELEVANT = 1; AD_INTENDED_FOR_SERVER = 2; AD_INTENDED_FOR_APPLICATION_CLASS = 3;
            AD_KDC_ISSUED = 4; AD_AND_OR = 5; AD_MANDATORY_TICKET_EXTENSIONS = 6;
            AD_IN_TICKET_EXTENSIONS = 7; AD_MANDATORY_FOR_KDC = 8;
            OSF_DCE = 64; SESAME = 65; AD_OSF_DCE_PKI_CERTID = 66;
            AD_AUTHENTICATION_STRENGTH = 70; AD_FX_FAST_ARMOR = 71; AD_FX_FAST_USED = 72;
            /// RFC 7751
            AD_CAMMAC = 96;
            /// MS-PAC
            AD_WIN2K_PAC = 128;
            AD_ETYPE_NEGOTIATION = 129;
            /// MS-KILE KERB-AD-RESTRICTION-ENTRY
            KERB_AD_RESTRICTION_ENTRY = 141;
            /// MS-KILE KERB-LOCAL
            KERB_LOCAL = 142;
            /// MS-KILE AD-AUTH-DATA-AP-OPTIONS
            AD_AUTH_DATA_AP_OPTIONS = 143;
            /// MS-KILE KERB-AUTH-DATA-TARGET-PRINCIPAL
            AD_TARGET_PRINCIPAL = 144;
        }
    }
}

/// Host address types (RFC 4120 §7.5.3).
pub mod addr_type {
    consts! {
        /// Name of an address type.
        name: i32 {
            IPV4 = 2; DIRECTIONAL = 3; CHAOSNET = 5; XNS = 6; ISO = 7; DECNET_PHASE_IV = 12;
            APPLETALK_DDP = 16; NETBIOS = 20; IPV6 = 24;
        }
    }
}

/// Transited encoding types.
pub mod tr_type {
    /// DOMAIN-X500-COMPRESS (RFC 4120 §3.3.3.2)
    pub const DOMAIN_X500_COMPRESS: i32 = 1;
}

/// `last-req` lr-type values (RFC 4120 §5.4.2; negative values apply to the client only).
pub mod lr_type {
    /// No information.
    pub const NONE: i32 = 0;
    /// Time of last initial TGT request.
    pub const LAST_INITIAL_TGT_REQUEST: i32 = 1;
    /// Time of last initial request.
    pub const LAST_INITIAL_REQUEST: i32 = 2;
    /// Time of issue of the newest TGT used.
    pub const NEWEST_TGT_ISSUE: i32 = 3;
    /// Time of the last renewal.
    pub const LAST_RENEWAL: i32 = 4;
    /// Time of the last request of any type.
    pub const LAST_REQUEST: i32 = 5;
    /// Password expiration time.
    pub const PASSWORD_EXPIRATION: i32 = 6;
    /// Account expiration time.
    pub const ACCOUNT_EXPIRATION: i32 = 7;
}

/// FAST armor types (RFC 6113 §5.4.1).
pub mod armor_type {
    /// FX_FAST_ARMOR_AP_REQUEST
    pub const FX_FAST_ARMOR_AP_REQUEST: i32 = 1;
}

/// `KERB-ERROR-DATA.data-type` values (MS-KILE 2.2.1/2.2.2).
pub mod kerb_error_data_type {
    /// KERB_AP_ERR_TYPE_SKEW_RECOVERY
    pub const KERB_AP_ERR_TYPE_SKEW_RECOVERY: i32 = 2;
    /// KERB_ERR_TYPE_EXTENDED: data-value is KERB-EXT-ERROR (NTSTATUS, reserved, flags; LE)
    pub const KERB_ERR_TYPE_EXTENDED: i32 = 3;
}

/// Error codes (RFC 4120 §7.5.9, RFC 4556, RFC 6113, RFC 8636).
pub mod error_code {
    macro_rules! errors {
        ($($c:ident = $v:expr, $d:expr;)*) => {
            $(#[doc = $d] pub const $c: i32 = $v;)*

            /// The RFC name of an error code, or `"UNKNOWN_ERROR"`.
            pub fn error_name(code: i32) -> &'static str {
                match code {
                    $(x if x == $v => stringify!($c),)*
                    _ => "UNKNOWN_ERROR",
                }
            }

            /// A short description of an error code.
            pub fn error_description(code: i32) -> &'static str {
                match code {
                    $(x if x == $v => $d,)*
                    _ => "Unknown error code",
                }
            }
        };
    }

    errors! {
        KDC_ERR_NONE = 0, "No error";
        KDC_ERR_NAME_EXP = 1, "Client's entry in database has expired";
        KDC_ERR_SERVICE_EXP = 2, "Server's entry in database has expired";
        KDC_ERR_BAD_PVNO = 3, "Requested protocol version number not supported";
        KDC_ERR_C_OLD_MAST_KVNO = 4, "Client's key encrypted in old master key";
        KDC_ERR_S_OLD_MAST_KVNO = 5, "Server's key encrypted in old master key";
        KDC_ERR_C_PRINCIPAL_UNKNOWN = 6, "Client not found in Kerberos database";
        KDC_ERR_S_PRINCIPAL_UNKNOWN = 7, "Server not found in Kerberos database";
        KDC_ERR_PRINCIPAL_NOT_UNIQUE = 8, "Multiple principal entries in database";
        KDC_ERR_NULL_KEY = 9, "The client or server has a null key";
        KDC_ERR_CANNOT_POSTDATE = 10, "Ticket not eligible for postdating";
        KDC_ERR_NEVER_VALID = 11, "Requested starttime is later than end time";
        KDC_ERR_POLICY = 12, "KDC policy rejects request";
        KDC_ERR_BADOPTION = 13, "KDC cannot accommodate requested option";
        KDC_ERR_ETYPE_NOSUPP = 14, "KDC has no support for encryption type";
        KDC_ERR_SUMTYPE_NOSUPP = 15, "KDC has no support for checksum type";
        KDC_ERR_PADATA_TYPE_NOSUPP = 16, "KDC has no support for padata type";
        KDC_ERR_TRTYPE_NOSUPP = 17, "KDC has no support for transited type";
        KDC_ERR_CLIENT_REVOKED = 18, "Clients credentials have been revoked";
        KDC_ERR_SERVICE_REVOKED = 19, "Credentials for server have been revoked";
        KDC_ERR_TGT_REVOKED = 20, "TGT has been revoked";
        KDC_ERR_CLIENT_NOTYET = 21, "Client not yet valid; try again later";
        KDC_ERR_SERVICE_NOTYET = 22, "Server not yet valid; try again later";
        KDC_ERR_KEY_EXPIRED = 23, "Password has expired; change password to reset";
        KDC_ERR_PREAUTH_FAILED = 24, "Pre-authentication information was invalid";
        KDC_ERR_PREAUTH_REQUIRED = 25, "Additional pre-authentication required";
        KDC_ERR_SERVER_NOMATCH = 26, "Requested server and ticket don't match";
        KDC_ERR_MUST_USE_USER2USER = 27, "Server principal valid for user2user only";
        KDC_ERR_PATH_NOT_ACCEPTED = 28, "KDC Policy rejects transited path";
        KDC_ERR_SVC_UNAVAILABLE = 29, "A service is not available";
        KRB_AP_ERR_BAD_INTEGRITY = 31, "Integrity check on decrypted field failed";
        KRB_AP_ERR_TKT_EXPIRED = 32, "Ticket expired";
        KRB_AP_ERR_TKT_NYV = 33, "Ticket not yet valid";
        KRB_AP_ERR_REPEAT = 34, "Request is a replay";
        KRB_AP_ERR_NOT_US = 35, "The ticket isn't for us";
        KRB_AP_ERR_BADMATCH = 36, "Ticket and authenticator don't match";
        KRB_AP_ERR_SKEW = 37, "Clock skew too great";
        KRB_AP_ERR_BADADDR = 38, "Incorrect net address";
        KRB_AP_ERR_BADVERSION = 39, "Protocol version mismatch";
        KRB_AP_ERR_MSG_TYPE = 40, "Invalid msg type";
        KRB_AP_ERR_MODIFIED = 41, "Message stream modified";
        KRB_AP_ERR_BADORDER = 42, "Message out of order";
        KRB_AP_ERR_BADKEYVER = 44, "Specified version of key is not available";
        KRB_AP_ERR_NOKEY = 45, "Service key not available";
        KRB_AP_ERR_MUT_FAIL = 46, "Mutual authentication failed";
        KRB_AP_ERR_BADDIRECTION = 47, "Incorrect message direction";
        KRB_AP_ERR_METHOD = 48, "Alternative authentication method required";
        KRB_AP_ERR_BADSEQ = 49, "Incorrect sequence number in message";
        KRB_AP_ERR_INAPP_CKSUM = 50, "Inappropriate type of checksum in message";
        KRB_AP_PATH_NOT_ACCEPTED = 51, "Policy rejects transited path";
        KRB_ERR_RESPONSE_TOO_BIG = 52, "Response too big for UDP; retry with TCP";
        KRB_ERR_GENERIC = 60, "Generic error (description in e-text)";
        KRB_ERR_FIELD_TOOLONG = 61, "Field is too long for this implementation";
        KDC_ERROR_CLIENT_NOT_TRUSTED = 62, "PKINIT: client not trusted";
        KDC_ERROR_KDC_NOT_TRUSTED = 63, "PKINIT: KDC not trusted";
        KDC_ERROR_INVALID_SIG = 64, "PKINIT: invalid signature";
        KDC_ERR_KEY_TOO_WEAK = 65, "PKINIT: key too weak";
        KDC_ERR_CERTIFICATE_MISMATCH = 66, "PKINIT: certificate mismatch";
        KRB_AP_ERR_NO_TGT = 67, "No TGT available to validate USER-TO-USER";
        KDC_ERR_WRONG_REALM = 68, "Wrong realm (referral)";
        KRB_AP_ERR_USER_TO_USER_REQUIRED = 69, "Ticket must be for USER-TO-USER";
        KDC_ERR_CANT_VERIFY_CERTIFICATE = 70, "PKINIT: can't verify certificate";
        KDC_ERR_INVALID_CERTIFICATE = 71, "PKINIT: invalid certificate";
        KDC_ERR_REVOKED_CERTIFICATE = 72, "PKINIT: revoked certificate";
        KDC_ERR_REVOCATION_STATUS_UNKNOWN = 73, "PKINIT: revocation status unknown";
        KDC_ERR_REVOCATION_STATUS_UNAVAILABLE = 74, "PKINIT: revocation status unavailable";
        KDC_ERR_CLIENT_NAME_MISMATCH = 75, "PKINIT: client name mismatch";
        KDC_ERR_KDC_NAME_MISMATCH = 76, "PKINIT: KDC name mismatch";
        KDC_ERR_INCONSISTENT_KEY_PURPOSE = 77, "PKINIT: inconsistent key purpose";
        KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED = 78, "PKINIT: digest in certificate not accepted";
        KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED = 79, "PKINIT: paChecksum must be included";
        KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED = 80, "PKINIT: digest in signed data not accepted";
        KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED = 81, "PKINIT: public key encryption not supported";
        KDC_ERR_PREAUTH_EXPIRED = 90, "FAST: pre-authentication expired";
        KDC_ERR_MORE_PREAUTH_DATA_REQUIRED = 91, "FAST: more pre-authentication data required";
        KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET = 92, "FAST: bad authentication set";
        KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS = 93, "FAST: unknown critical FAST options";
        KDC_ERR_NO_ACCEPTABLE_KDF = 100, "PKINIT: no acceptable KDF";
    }
}

pub use error_code::{error_description, error_name};
