from . import telecom_promotion_apply
