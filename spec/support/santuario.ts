// Apache Santuario (Java; Debian's libxml-security-java, installed by `npm test`) as an XML Encryption
// implementation apart from ours and xml-encryption's: the library under OpenSAML and the Shibboleth
// IdP. It writes what the Node encryptors cannot: RSA-OAEP with SHA-2 digests and separate MGF1 hashes,
// OAEP labels, EncryptedKeys beside the EncryptedData, and one EncryptedKey per recipient.
// All jobs of a call run in one JVM (spec/support/santuario/EncryptElement.java).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const JARS = ['xmlsec', 'commons-codec', 'slf4j-api', 'slf4j-nop'].map((jar) => `/usr/share/java/${jar}.jar`)
const PROGRAM = new URL('./santuario/EncryptElement.java', import.meta.url).pathname

export const XENC = {
  aes128cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  aes256cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  aes128gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsaOaep11: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  mgf1sha1: 'http://www.w3.org/2009/xmlenc11#mgf1sha1',
  mgf1sha256: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
  mgf1sha384: 'http://www.w3.org/2009/xmlenc11#mgf1sha384',
  mgf1sha512: 'http://www.w3.org/2009/xmlenc11#mgf1sha512',
} as const

/** Where the EncryptedKeys go: inline in KeyInfo, or beside the EncryptedData and named by reference. */
export type KeyPlacement = 'inline' | 'retrieval' | 'keyname' | 'bare'

export interface SantuarioJob {
  /** The document; the first `saml:<target>` element in it is encrypted. */
  xml: string
  target: 'Assertion' | 'NameID' | 'Attribute'
  wrapper: 'EncryptedAssertion' | 'EncryptedID' | 'EncryptedAttribute'
  dataAlgorithm: string
  keyAlgorithm: string
  digest?: string
  mgf?: string
  /** The OAEP label (OAEPparams). */
  oaepParams?: Buffer
  placement: KeyPlacement
  /** One EncryptedKey per certificate (PEM), in this order. */
  recipients: string[]
}

/** Runs every job in one Santuario process; returns the documents in job order. */
export async function encryptWithSantuario(jobs: readonly SantuarioJob[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'santuario-'))
  try {
    const lines = jobs.map((job, i) => {
      const certs = job.recipients.map((pem, r) => {
        const file = join(dir, `${i}-${r}.pem`)
        writeFileSync(file, pem)
        return file
      })
      return [
        i,
        job.target,
        job.wrapper,
        job.dataAlgorithm,
        job.keyAlgorithm,
        job.digest ?? '-',
        job.mgf ?? '-',
        job.oaepParams?.toString('base64') ?? '-',
        job.placement,
        certs.join(','),
        Buffer.from(job.xml).toString('base64'),
      ].join('\t')
    })
    const java = spawn('java', ['-cp', JARS.join(':'), PROGRAM], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    java.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    java.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    java.stdin.end(lines.join('\n') + '\n')
    const [code] = (await once(java, 'close')) as [number | null]
    if (code !== 0) throw new Error(`Santuario exited with ${code}: ${err}`)
    const results = new Map(
      out
        .trim()
        .split('\n')
        .map((line) => line.split('\t') as [string, string]),
    )
    return jobs.map((_, i) => Buffer.from(results.get(String(i)) ?? '', 'base64').toString('utf8'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
