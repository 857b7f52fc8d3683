// An application on the official JavaScript driver (neo4j-driver, the
// version in package.json), started by scripts/e2e-drivers.sh against
// `neo4j-doctor demo --serve --format json SCENARIO`: it reads the JSON
// object the demo printed (a file named by its argument) and uses only
// that to connect; the CA, if any, is trusted with NODE_EXTRA_CA_CERTS,
// which the script sets. It runs verifyConnectivity, getServerInfo and
// `RETURN 1` (read mode) in turn, stops at the first that fails, and
// prints one JSON line: {"driver":"javascript","step":...,"error":CLASS,
// "message":...}; error is "" when all three pass. CLASS is the error's
// name and code.
import { readFileSync } from 'node:fs'
import neo4j from 'neo4j-driver'

const s = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const auth = s.bearerTokenFile
  ? neo4j.auth.bearer(readFileSync(s.bearerTokenFile, 'utf8').trim())
  : neo4j.auth.basic(s.user, s.password)

function print (step, err) {
  const out = { driver: 'javascript', step, error: '' }
  if (err) {
    out.error = [err.name || err.constructor.name, err.code].filter(Boolean).join(' ')
    out.message = String(err.message)
  }
  console.log(JSON.stringify(out))
}

let step = 'newDriver'
let driver
try {
  // Short, so a silent server costs seconds, not the defaults' minute.
  driver = neo4j.driver(s.uri, auth, { connectionTimeout: 3000, connectionAcquisitionTimeout: 6000, maxTransactionRetryTime: 3000 })
  step = 'verifyConnectivity'
  await driver.verifyConnectivity()
  step = 'getServerInfo'
  await driver.getServerInfo()
  step = 'RETURN 1'
  await driver.executeQuery('RETURN 1', {}, { database: s.database || undefined, routing: neo4j.routing.READ })
  print(step)
} catch (err) {
  print(step, err)
} finally {
  if (driver) await driver.close().catch(() => {})
}
