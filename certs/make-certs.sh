#!/bin/sh
# Makes a local CA, a server certificate for localhost (127.0.0.1, ::1) and two client
# certificates (CN=regulator-client, CN=union-client) in DIR, for recruitwatchd's HTTP API in
# tests and demos. Never use these for anything that leaves the machine.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: make-certs.sh DIR" >&2
	exit 2
fi
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
umask 077
days=825

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
	-keyout ca.key -out ca.crt -subj "/CN=recruitwatch test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# sign NAME CN EXTFILE-CONTENTS
sign() {
	openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" \
		-subj "/CN=$2" 2>/dev/null
	printf '%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days "$days" -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

sign server localhost "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
for who in regulator union; do
	sign "$who-client" "$who-client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
done
rm -f ca.srl
chmod 600 ./*.key
chmod 644 ./*.crt
