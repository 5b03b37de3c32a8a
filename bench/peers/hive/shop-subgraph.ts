// The Shop subgraph for the Hive Gateway peer: the SDL that Mesh's SOAP handler (@omnigraph/soap 0.96.0) generated
// from the Shop's WSDL (shop-subgraph.graphql), completed for the SOAP transport Hive Gateway runs today.
const SOAP_11_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';
const SHOP_NS = 'http://legacy.example.com/shop';

/**
 * The Shop subgraph from the SOAP handler's output, with the endpoint of the running Shop and the @soap and
 * @transport arguments today's transport needs: soapNamespace (else it falls back to SOAP 1.2), soapAction (else it
 * sends "SOAPAction: undefined", which the Shop refuses as contradicting the body), and the subgraph's transport kind.
 */
export function shopSubgraphSdl(generated: string, endpoint: string): string {
  return generated
    .replace(
      /directive @soap\(([^)]*)\) on FIELD_DEFINITION/,
      'directive @soap($1, soapAction: String, soapNamespace: String, subgraph: String) on FIELD_DEFINITION\n' +
        'directive @transport(kind: String!, subgraph: String!, location: String!) repeatable on SCHEMA',
    )
    .replace(/^schema \{/m, `schema @transport(kind: "soap", subgraph: "shop", location: ${JSON.stringify(endpoint)}) {`)
    .replace(/@soap\(elementName: "(\w+)Response", bindingNamespace: "([^"]*)", endpoint: "[^"]*"\)/g, (_m, op: string, ns: string) =>
      `@soap(elementName: "${op}Response", bindingNamespace: "${ns}", endpoint: ${JSON.stringify(endpoint)}, ` +
      `soapAction: "${SHOP_NS}/${op}", soapNamespace: "${SOAP_11_ENVELOPE}", subgraph: "shop")`,
    );
}
