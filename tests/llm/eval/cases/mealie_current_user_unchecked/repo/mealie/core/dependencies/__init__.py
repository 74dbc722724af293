from .dependencies import get_admin_user, get_current_user
