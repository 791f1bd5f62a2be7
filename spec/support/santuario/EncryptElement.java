// Encrypts elements of SAML messages with Apache Santuario (Debian's libxml-security-java), the XML
// Security library under OpenSAML and the Shibboleth IdP. The specs use it for what xml-encryption and
// xmlsec1 1.2 cannot write: RSA-OAEP with SHA-2 digests and separate MGF1 hashes (XML Encryption 1.1),
// OAEP labels, EncryptedKeys beside the EncryptedData (RetrievalMethod, KeyName/CarriedKeyName) and
// one EncryptedKey per recipient.
//
// One job per stdin line, tab separated:
//   id targetLocalName wrapperLocalName dataAlgorithm keyAlgorithm digest|- mgf|- oaepParamsBase64|-
//   placement(inline|retrieval|keyname|bare) certFile[,certFile...] documentBase64
// Answers one line per job: id, tab, the document (base64). The first element named targetLocalName
// in the SAML assertion namespace is encrypted and wrapped in saml:<wrapperLocalName>.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.cert.*;
import java.util.*;
import javax.crypto.*;
import javax.xml.parsers.*;
import javax.xml.transform.*;
import javax.xml.transform.dom.*;
import javax.xml.transform.stream.*;
import org.apache.xml.security.encryption.*;
import org.apache.xml.security.keys.KeyInfo;
import org.apache.xml.security.keys.content.RetrievalMethod;
import org.apache.xml.security.keys.content.X509Data;
import org.apache.xml.security.utils.EncryptionConstants;
import org.w3c.dom.*;

public class EncryptElement {
  static final String SAML = "urn:oasis:names:tc:SAML:2.0:assertion";

  public static void main(String[] args) throws Exception {
    org.apache.xml.security.Init.init();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", -1);
      out.println(f[0] + "\t" + Base64.getEncoder().encodeToString(encrypt(f).getBytes(StandardCharsets.UTF_8)));
    }
  }

  static String opt(String value) { return value.equals("-") ? null : value; }

  static String encrypt(String[] f) throws Exception {
    String target = f[1], wrapperName = f[2], dataAlg = f[3], keyAlg = f[4];
    String digest = opt(f[5]), mgf = opt(f[6]), oaepParams = opt(f[7]), placement = f[8];
    String[] certFiles = f[9].split(",");
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(Base64.getDecoder().decode(f[10])));
    Element element = (Element) doc.getElementsByTagNameNS(SAML, target).item(0);

    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(dataAlg.contains("128") ? 128 : dataAlg.contains("192") ? 192 : 256);
    SecretKey contentKey = generator.generateKey();

    List<EncryptedKey> keys = new ArrayList<>();
    List<XMLCipher> keyCiphers = new ArrayList<>();
    for (int i = 0; i < certFiles.length; i++) {
      X509Certificate cert;
      try (InputStream pem = Files.newInputStream(Paths.get(certFiles[i]))) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
      }
      XMLCipher keyCipher = XMLCipher.getInstance(keyAlg, null, digest);
      keyCipher.init(XMLCipher.WRAP_MODE, cert.getPublicKey());
      EncryptedKey key = keyCipher.encryptKey(doc, contentKey, mgf, oaepParams == null ? null : Base64.getDecoder().decode(oaepParams));
      KeyInfo recipient = new KeyInfo(doc);
      X509Data x509 = new X509Data(doc);
      x509.addCertificate(cert);
      recipient.add(x509);
      key.setKeyInfo(recipient);
      key.setId("EK-" + i);
      if (placement.equals("keyname")) key.setCarriedName("sp-key-" + i);
      keys.add(key);
      keyCiphers.add(keyCipher);
    }

    XMLCipher dataCipher = XMLCipher.getInstance(dataAlg);
    dataCipher.init(XMLCipher.ENCRYPT_MODE, contentKey);
    EncryptedData data = dataCipher.getEncryptedData();
    if (!placement.equals("bare")) {
      KeyInfo keyInfo = new KeyInfo(doc);
      for (int i = 0; i < keys.size(); i++) {
        if (placement.equals("inline")) keyInfo.add(keys.get(i));
        else if (placement.equals("retrieval")) keyInfo.add(new RetrievalMethod(doc, "#EK-" + i, null, EncryptionConstants.EncryptionSpecNS + "EncryptedKey"));
        else if (placement.equals("keyname")) keyInfo.addKeyName("sp-key-" + i);
      }
      data.setKeyInfo(keyInfo);
    }
    Node parent = element.getParentNode();
    Node next = element.getNextSibling();
    Element wrapper = doc.createElementNS(SAML, element.getPrefix() == null ? wrapperName : element.getPrefix() + ":" + wrapperName);
    parent.insertBefore(wrapper, next);
    wrapper.appendChild(element);
    dataCipher.doFinal(doc, element, false);
    if (!placement.equals("inline")) {
      for (int i = 0; i < keys.size(); i++) wrapper.appendChild(keyCiphers.get(i).martial(doc, keys.get(i)));
    }

    StringWriter text = new StringWriter();
    Transformer transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    transformer.transform(new DOMSource(doc), new StreamResult(text));
    return text.toString();
  }
}
