// The Shop's WSDL 1.1: document/literal (wrapped), a SOAP 1.1 binding over HTTP, and an XSD in <types> with the
// complex types Order, OrderItem, Payment and OrderList. Served at GET /shop?wsdl with the caller's host in
// <soap:address>, the way real servers render it.
import { escapeXml } from './shop-xml.ts';

export const SHOP_NS = 'http://legacy.example.com/shop';
export const SHOP_OPERATIONS = ['GetOrdersByCustomer', 'GetOrder', 'RefundOrder'] as const;
export type ShopOperation = (typeof SHOP_OPERATIONS)[number];
/** The SOAPAction of each operation (also in the binding below). */
export const soapActionOf = (op: ShopOperation) => `${SHOP_NS}/${op}`;
/** The most customer numbers one GetOrdersByCustomer call may carry (maxOccurs in the XSD). */
export const MAX_CUSTOMER_NOS = 500;

const operation = (op: ShopOperation) => `
    <wsdl:operation name="${op}">
      <soap:operation soapAction="${soapActionOf(op)}" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="ShopFault"><soap:fault name="ShopFault" use="literal"/></wsdl:fault>
    </wsdl:operation>`;

const messages = (op: ShopOperation) => `
  <wsdl:message name="${op}Request"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message>
  <wsdl:message name="${op}Response"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`;

const portOperation = (op: ShopOperation) => `
    <wsdl:operation name="${op}">
      <wsdl:input message="tns:${op}Request"/>
      <wsdl:output message="tns:${op}Response"/>
      <wsdl:fault name="ShopFault" message="tns:ShopFault"/>
    </wsdl:operation>`;

/** The WSDL document with `address` (e.g. "http://127.0.0.1:7002/shop") as the service endpoint. */
export function shopWsdl(address: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="ShopService"
    targetNamespace="${SHOP_NS}"
    xmlns:tns="${SHOP_NS}"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
  <wsdl:types>
    <xsd:schema targetNamespace="${SHOP_NS}" elementFormDefault="qualified">
      <xsd:complexType name="OrderItem">
        <xsd:sequence>
          <xsd:element name="lineNo" type="xsd:int"/>
          <xsd:element name="sku" type="xsd:string"/>
          <xsd:element name="name" type="xsd:string"/>
          <xsd:element name="quantity" type="xsd:int"/>
          <xsd:element name="unitPriceCents" type="xsd:long"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="OrderItemList">
        <xsd:sequence>
          <xsd:element name="item" type="tns:OrderItem" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Payment">
        <xsd:sequence>
          <xsd:element name="id" type="xsd:string"/>
          <xsd:element name="method" type="xsd:string"/>
          <xsd:element name="status" type="xsd:string"/>
          <xsd:element name="amountCents" type="xsd:long"/>
          <xsd:element name="paidAt" type="xsd:dateTime" minOccurs="0"/>
          <xsd:element name="updatedAt" type="xsd:dateTime"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Order">
        <xsd:sequence>
          <xsd:element name="id" type="xsd:string"/>
          <xsd:element name="customerNo" type="xsd:string"/>
          <xsd:element name="status" type="xsd:string"/>
          <xsd:element name="totalCents" type="xsd:long"/>
          <xsd:element name="currency" type="xsd:string"/>
          <xsd:element name="createdAt" type="xsd:dateTime" minOccurs="0"/>
          <xsd:element name="updatedAt" type="xsd:dateTime"/>
          <xsd:element name="items" type="tns:OrderItemList"/>
          <xsd:element name="payment" type="tns:Payment" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="OrderList">
        <xsd:sequence>
          <xsd:element name="order" type="tns:Order" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="CustomerNoList">
        <xsd:sequence>
          <xsd:element name="customerNo" type="xsd:string" minOccurs="0" maxOccurs="${MAX_CUSTOMER_NOS}"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="GetOrdersByCustomer">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="customerNos" type="tns:CustomerNoList"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetOrdersByCustomerResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="orders" type="tns:OrderList"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetOrder">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="orderId" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetOrderResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="order" type="tns:Order"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="RefundOrder">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="orderId" type="xsd:string"/>
          <xsd:element name="amountCents" type="xsd:long"/>
          <xsd:element name="reason" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="RefundOrderResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="order" type="tns:Order"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="ShopFault">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="code" type="xsd:string"/>
          <xsd:element name="message" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
${SHOP_OPERATIONS.map(messages).join('')}
  <wsdl:message name="ShopFault"><wsdl:part name="fault" element="tns:ShopFault"/></wsdl:message>

  <wsdl:portType name="ShopPortType">${SHOP_OPERATIONS.map(portOperation).join('')}
  </wsdl:portType>

  <wsdl:binding name="ShopBinding" type="tns:ShopPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${SHOP_OPERATIONS.map(operation).join('')}
  </wsdl:binding>

  <wsdl:service name="ShopService">
    <wsdl:port name="ShopPort" binding="tns:ShopBinding">
      <soap:address location="${escapeXml(address)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
