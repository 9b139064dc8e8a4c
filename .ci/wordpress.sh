#!/usr/bin/env bash
# A real WordPress 6.1 (Debian's packages) for the `wordpress` tests, on
# http://127.0.0.1:${WORDPRESS_PORT:-8081}, with an Author-role user and a fresh
# Application Password. Idempotent: run `start` as often as you like.
#
#   .ci/wordpress.sh start   installs what is missing, starts Apache and prints
#                            the test variables as `export` lines (eval them)
#   .ci/wordpress.sh stop    stops Apache (MariaDB and the site's data stay)
set -euo pipefail

PORT=${WORDPRESS_PORT:-8081}
HOST=127.0.0.1
DB=curation_wordpress
AUTHOR=curation-author
CONFIG=/etc/wordpress/config-$HOST.php
SITE=/etc/apache2/sites-available/curation-wordpress.conf

log() { echo "wordpress.sh: $*" >&2; }

install_packages() {
  local missing=()
  for pkg in wordpress wordpress-theme-twentytwentythree apache2 libapache2-mod-php php-mysql; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

start_mariadb() {
  if ! mysqladmin --protocol=tcp -h 127.0.0.1 -u root status >/dev/null 2>&1; then
    log "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 60); do
      mysqladmin --protocol=tcp -h 127.0.0.1 -u root status >/dev/null 2>&1 && break
      sleep 1
    done
  fi
  mysql --protocol=tcp -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4"
}

configure_wordpress() {
  mkdir -p /var/lib/wordpress/wp-content/uploads
  chown -R www-data:www-data /var/lib/wordpress/wp-content/uploads
  cat > "$CONFIG" <<PHP
<?php
define('DB_NAME', '$DB');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:3306');
define('WP_HOME', 'http://$HOST:$PORT');
define('WP_SITEURL', 'http://$HOST:$PORT');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('WP_CONTENT_URL', 'http://$HOST:$PORT/wp-content');
// Application Passwords over plain HTTP are allowed on a 'local' site only.
define('WP_ENVIRONMENT_TYPE', 'local');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('FS_METHOD', 'direct');
PHP
  cat > "$SITE" <<CONF
Listen $HOST:$PORT
<VirtualHost $HOST:$PORT>
  ServerName $HOST
  DocumentRoot /usr/share/wordpress
  Alias /wp-content /var/lib/wordpress/wp-content
  <Directory /usr/share/wordpress>
    Options FollowSymLinks
    AllowOverride None
    Require all granted
    RewriteEngine On
    RewriteBase /
    RewriteRule ^index\.php$ - [L]
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteRule . /index.php [L]
  </Directory>
  <Directory /var/lib/wordpress/wp-content>
    Options FollowSymLinks
    Require all granted
  </Directory>
  ErrorLog /var/log/apache2/curation-wordpress-error.log
</VirtualHost>
CONF
  # Only our port: the default site's port 80 may belong to someone else here.
  echo "# ports come from the sites" > /etc/apache2/ports.conf
  a2dissite -q 000-default >/dev/null 2>&1 || true
  a2enmod -q rewrite >/dev/null
  a2ensite -q curation-wordpress >/dev/null
}

install_site() {
  # WordPress's own functions, run by PHP against the site (Debian has no wp-cli).
  php -d display_errors=stderr <<PHP
<?php
\$_SERVER['HTTP_HOST'] = '$HOST';
\$_SERVER['SERVER_NAME'] = '$HOST';
\$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    wp_install('Therapists Being Human (test site)', 'admin', 'admin@example.org', false, '', wp_generate_password(24));
}
update_option('permalink_structure', '/%postname%/');
if (get_stylesheet() !== 'twentytwentythree') { switch_theme('twentytwentythree'); }
\$user = get_user_by('login', '$AUTHOR');
\$id = \$user ? \$user->ID : wp_insert_user([
    'user_login' => '$AUTHOR', 'user_email' => 'author@example.org',
    'user_pass' => wp_generate_password(24), 'role' => 'author', 'display_name' => 'Curation',
]);
if (is_wp_error(\$id)) { fwrite(STDERR, \$id->get_error_message()); exit(1); }
(new WP_User(\$id))->set_role('author');
foreach (WP_Application_Passwords::get_user_application_passwords(\$id) as \$item) {
    WP_Application_Passwords::delete_application_password(\$id, \$item['uuid']);
}
[\$password] = WP_Application_Passwords::create_new_application_password(\$id, ['name' => 'curation-tests']);
file_put_contents('php://stdout', \$password);
PHP
}

start() {
  install_packages
  start_mariadb
  configure_wordpress
  local password
  password=$(install_site)
  if ! apache2ctl -k graceful >/dev/null 2>&1; then
    apache2ctl -k start >&2
  fi
  for _ in $(seq 30); do
    curl -fsS -o /dev/null "http://$HOST:$PORT/wp-json/" && break
    sleep 1
  done
  curl -fsS -o /dev/null "http://$HOST:$PORT/wp-json/" || { log "WordPress did not answer on port $PORT"; exit 1; }
  log "WordPress is up at http://$HOST:$PORT (user $AUTHOR, Author role)"
  echo "export CURATION_TEST_WORDPRESS_URL=http://$HOST:$PORT"
  echo "export CURATION_TEST_WORDPRESS_USER=$AUTHOR"
  echo "export CURATION_TEST_WORDPRESS_APP_PASSWORD='$password'"
}

stop() {
  apache2ctl -k stop >/dev/null 2>&1 || true
  log "Apache stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
